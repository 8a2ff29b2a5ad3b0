// The linear-layer C ABI (prune4j_gemm_*): a plan uploads a layer's weight once, derives the layouts
// of its backends on the device (lazily, on first use of a backend), pads shapes to the kernels'
// tiles, and dispatches each call: cuBLASLt for dense weights; for 2:4 weights the decode kernel up
// to 16 tokens, CUTLASS sm_90a on Hopper, CUTLASS sm_80 elsewhere.
#include "gemm/dense_cublaslt.cuh"
#include "gemm/sparse24_convert.cuh"
#include "gemm/sparse_gemm_sm80.h"
#include "gemm/sparse_gemm_sm90.h"
#include "gemm/sparse_gemv.cuh"

#include <chrono>
#include <new>

using p4j::fail;

// Per-context state shared by all plans: everything runs on the context's one stream, so plans can
// share the workspace and the padding scratch.
struct p4j_gemm_shared {
    void* workspace = nullptr;
    size_t workspace_bytes = 0;
    void* scratch[2] = {nullptr, nullptr};
    size_t scratch_bytes[2] = {0, 0};
    cudaEvent_t start = nullptr, stop = nullptr;
};

struct p4j_gemm_plan {
    p4j_context* ctx;
    int format;
    int dtype;
    int64_t out, in;
    int64_t out_p, in_p;            // padded to 128 (CUTLASS tiles)
    void* values = nullptr;         // dense W [out, in], or canonical 2:4 values [out, in/2]
    uint8_t* meta = nullptr;        // canonical metadata [out, ceil(in/8)]
    float* bias_f32 = nullptr;      // [out_p], zeros past out; NULL when the layer has no bias
    void* bias_dtype = nullptr;     // [out] in dtype (cuBLASLt's bias epilogue)
    p4j::LtPlan* lt = nullptr;
    // sm_80: values padded (or the canonical ones when no padding is needed) and reordered metadata.
    void* values80 = nullptr;
    bool values80_owned = false;
    uint16_t* meta80 = nullptr;
    // sm_90a: CUTLASS's compressed values and metadata, and a zero bias when the layer has none.
    void* values90 = nullptr;
    void* meta90 = nullptr;
    float* zero_bias = nullptr;
};

namespace {

constexpr size_t WORKSPACE_BYTES = size_t(32) << 20;  // what PyTorch gives cuBLASLt on Hopper
constexpr int64_t PAD = 128;

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

bool sm90_device(const p4j_context* ctx) { return ctx->major == 9 && ctx->minor == 0; }

int shared(p4j_context* ctx, p4j_gemm_shared** out) {
    if (ctx->gemm == nullptr) {
        ctx->gemm = new (std::nothrow) p4j_gemm_shared{};
        if (ctx->gemm == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    *out = ctx->gemm;
    return P4J_OK;
}

int workspace(p4j_context* ctx, void** ptr, size_t* bytes) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    if (s->workspace == nullptr) {
        P4J_CUDA(cudaMalloc(&s->workspace, WORKSPACE_BYTES), "cudaMalloc (GEMM workspace)");
        s->workspace_bytes = WORKSPACE_BYTES;
    }
    *ptr = s->workspace;
    *bytes = s->workspace_bytes;
    return P4J_OK;
}

// Scratch buffer slot (0: padded x, 1: padded or F32 y) of at least bytes.
int scratch(p4j_context* ctx, int slot, size_t bytes, void** ptr) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    if (s->scratch_bytes[slot] < bytes) {
        if (s->scratch[slot] != nullptr) {
            P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (scratch)");
            P4J_CUDA(cudaFree(s->scratch[slot]), "cudaFree (scratch)");
            s->scratch[slot] = nullptr;
            s->scratch_bytes[slot] = 0;
        }
        P4J_CUDA(cudaMalloc(&s->scratch[slot], bytes), "cudaMalloc (GEMM scratch)");
        s->scratch_bytes[slot] = bytes;
    }
    *ptr = s->scratch[slot];
    return P4J_OK;
}

int alloc(void** ptr, size_t bytes, const char* what) {
    cudaError_t err = cudaMalloc(ptr, bytes);
    if (err != cudaSuccess) {
        *ptr = nullptr;
        return p4j::cuda_fail(err, what);
    }
    return P4J_OK;
}

void free_plan(p4j_gemm_plan* p) {
    p4j::lt_plan_destroy(p->lt);
    if (p->values80_owned) cudaFree(p->values80);
    cudaFree(p->meta80);
    cudaFree(p->values90);
    cudaFree(p->meta90);
    cudaFree(p->zero_bias);
    cudaFree(p->values);
    cudaFree(p->meta);
    cudaFree(p->bias_f32);
    cudaFree(p->bias_dtype);
    delete p;
}

int prepare_sm80(p4j_gemm_plan* p) {
    if (p->meta80 != nullptr) return P4J_OK;
    cudaStream_t st = p->ctx->stream;
    const bool padded = p->out_p != p->out || p->in_p != p->in;
    uint8_t* meta_src = p->meta;
    uint8_t* meta_tmp = nullptr;
    if (padded) {
        P4J_CHECK(alloc(&p->values80, size_t(p->out_p) * (p->in_p / 2) * 2, "cudaMalloc (sm80 values)"));
        p->values80_owned = true;
        P4J_CHECK(alloc(reinterpret_cast<void**>(&meta_tmp), size_t(p->out_p) * (p->in_p / 8), "cudaMalloc (padded meta)"));
        int status = p4j::sparse24_pad(static_cast<const uint16_t*>(p->values), p->meta, p->out, p->in,
                                       static_cast<uint16_t*>(p->values80), meta_tmp, p->out_p, p->in_p, st);
        if (status != P4J_OK) {
            cudaFree(meta_tmp);
            return status;
        }
        meta_src = meta_tmp;
    } else {
        p->values80 = p->values;
    }
    int status = alloc(reinterpret_cast<void**>(&p->meta80), size_t(p->out_p) * (p->in_p / 8), "cudaMalloc (sm80 meta)");
    if (status == P4J_OK) {
        status = p4j::sm80_reorder_meta(reinterpret_cast<const uint16_t*>(meta_src), p->out_p, p->in_p, p->meta80, st);
    }
    if (meta_tmp != nullptr) {
        cudaStreamSynchronize(st);
        cudaFree(meta_tmp);
    }
    return status;
}

int prepare_sm90(p4j_gemm_plan* p) {
    if (p->meta90 != nullptr) return P4J_OK;
    if (!p4j::sm90_built()) return fail(P4J_ERR_INVALID_ARGUMENT, "this libprune4j was built without sm_90a kernels");
    cudaStream_t st = p->ctx->stream;
    p4j::Sm90Sizes sizes{};
    auto sizes_fn = p->dtype == P4J_DTYPE_F16 ? p4j::sm90_compressed_sizes_f16 : p4j::sm90_compressed_sizes_bf16;
    auto compress_fn = p->dtype == P4J_DTYPE_F16 ? p4j::sm90_compress_f16 : p4j::sm90_compress_bf16;
    P4J_CHECK(sizes_fn(p->out_p, p->in_p, &sizes));
    // CUTLASS's own compressor reads a dense 2:4 matrix: decompress the canonical form into one.
    void* dense = nullptr;
    P4J_CHECK(alloc(&dense, size_t(p->out_p) * p->in_p * 2, "cudaMalloc (dense staging for the sm90 compressor)"));
    int status = p4j::sparse24_decompress(static_cast<const uint16_t*>(p->values), p->meta, p->out, p->in,
                                          static_cast<uint16_t*>(dense), p->out_p, p->in_p, st);
    if (status == P4J_OK) status = alloc(&p->values90, sizes.values_bytes, "cudaMalloc (sm90 values)");
    if (status == P4J_OK) status = alloc(&p->meta90, sizes.meta_bytes, "cudaMalloc (sm90 meta)");
    void* ws = nullptr;
    size_t ws_bytes = 0;
    if (status == P4J_OK) status = workspace(p->ctx, &ws, &ws_bytes);
    if (status == P4J_OK) {
        // The compressor leaves padding bytes of its layout untouched: start from zeros.
        cudaMemsetAsync(p->values90, 0, sizes.values_bytes, st);
        cudaMemsetAsync(p->meta90, 0, sizes.meta_bytes, st);
        p4j::Sm90Compress args{p->out_p, p->in_p, dense, p->values90, p->meta90, ws, ws_bytes,
                               p->ctx->device, p->ctx->sm_count, st};
        status = compress_fn(args);
    }
    cudaStreamSynchronize(st);
    cudaFree(dense);
    if (status == P4J_OK && p->bias_f32 == nullptr) {
        status = alloc(reinterpret_cast<void**>(&p->zero_bias), size_t(p->out_p) * 4, "cudaMalloc (zero bias)");
        if (status == P4J_OK) cudaMemsetAsync(p->zero_bias, 0, size_t(p->out_p) * 4, st);
    }
    if (status != P4J_OK) {
        cudaFree(p->values90);
        cudaFree(p->meta90);
        p->values90 = p->meta90 = nullptr;
    }
    return status;
}

// The backend AUTO means, or whether backend can run here; -1 when it cannot.
int resolve(const p4j_gemm_plan* p, int backend, int64_t tokens) {
    const p4j_context* ctx = p->ctx;
    if (p->format == P4J_WEIGHT_DENSE) {
        return backend == P4J_BACKEND_AUTO || backend == P4J_BACKEND_CUBLASLT ? P4J_BACKEND_CUBLASLT : -1;
    }
    switch (backend) {
        case P4J_BACKEND_AUTO:
            if (tokens <= P4J_DECODE_MAX_TOKENS) return P4J_BACKEND_DECODE;
            if (sm90_device(ctx) && p4j::sm90_built()) return P4J_BACKEND_CUTLASS_SM90;
            return ctx->major >= 8 ? P4J_BACKEND_CUTLASS_SM80 : -1;
        case P4J_BACKEND_DECODE:
            return tokens <= P4J_DECODE_MAX_TOKENS ? P4J_BACKEND_DECODE : -1;
        case P4J_BACKEND_CUTLASS_SM90:
            return sm90_device(ctx) && p4j::sm90_built() ? P4J_BACKEND_CUTLASS_SM90 : -1;
        case P4J_BACKEND_CUTLASS_SM80:
            // Built for sm_80 and sm_90 (SASS); Ampere, Ada and Hopper.
            return (ctx->major == 8 || sm90_device(ctx)) ? P4J_BACKEND_CUTLASS_SM80 : -1;
        default:
            return -1;
    }
}

int run_sm80(p4j_gemm_plan* p, int64_t tokens, const void* x, void* y) {
    P4J_CHECK(prepare_sm80(p));
    cudaStream_t st = p->ctx->stream;
    const int64_t n_p = round_up(tokens, p4j::SM80_N_ALIGN);
    const void* xp = x;
    if (n_p != tokens || p->in_p != p->in) {
        void* buf = nullptr;
        P4J_CHECK(scratch(p->ctx, 0, size_t(n_p) * p->in_p * 2, &buf));
        P4J_CUDA(cudaMemsetAsync(buf, 0, size_t(n_p) * p->in_p * 2, st), "cudaMemsetAsync (padded x)");
        P4J_CUDA(cudaMemcpy2DAsync(buf, p->in_p * 2, x, p->in * 2, p->in * 2, tokens, cudaMemcpyDeviceToDevice, st),
                 "cudaMemcpy2DAsync (padded x)");
        xp = buf;
    }
    void* out32 = nullptr;
    P4J_CHECK(scratch(p->ctx, 1, size_t(p->out_p) * n_p * 4, &out32));
    void* ws = nullptr;
    size_t ws_bytes = 0;
    P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
    p4j::Sm80Run r{p->out_p, n_p, p->in_p, p->dtype, n_p <= 64 ? p4j::P4J_SM80_TILE_NARROW : p4j::P4J_SM80_TILE_WIDE,
                   p->values80, p->meta80, xp, static_cast<float*>(out32), ws, ws_bytes, st};
    P4J_CHECK(p4j::sm80_run(r));
    return p4j::transpose_bias_round(static_cast<const float*>(out32), n_p, p->out, tokens, p->bias_f32, p->dtype, y, st);
}

int run_sm90(p4j_gemm_plan* p, int64_t tokens, const void* x, void* y) {
    P4J_CHECK(prepare_sm90(p));
    cudaStream_t st = p->ctx->stream;
    const void* xp = x;
    if (p->in_p != p->in) {
        void* buf = nullptr;
        P4J_CHECK(scratch(p->ctx, 0, size_t(tokens) * p->in_p * 2, &buf));
        P4J_CUDA(cudaMemsetAsync(buf, 0, size_t(tokens) * p->in_p * 2, st), "cudaMemsetAsync (padded x)");
        P4J_CUDA(cudaMemcpy2DAsync(buf, p->in_p * 2, x, p->in * 2, p->in * 2, tokens, cudaMemcpyDeviceToDevice, st),
                 "cudaMemcpy2DAsync (padded x)");
        xp = buf;
    }
    void* yp = y;
    if (p->out_p != p->out) {
        P4J_CHECK(scratch(p->ctx, 1, size_t(tokens) * p->out_p * 2, &yp));
    }
    void* ws = nullptr;
    size_t ws_bytes = 0;
    P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
    p4j::Sm90Run r{p->out_p, tokens, p->in_p, tokens <= 256 ? p4j::P4J_TILE_NARROW : p4j::P4J_TILE_WIDE,
                   p->values90, p->meta90, xp, p->bias_f32 != nullptr ? p->bias_f32 : p->zero_bias, yp, ws, ws_bytes,
                   p->ctx->device, p->ctx->sm_count, st};
    P4J_CHECK(p->dtype == P4J_DTYPE_F16 ? p4j::sm90_run_f16(r) : p4j::sm90_run_bf16(r));
    if (yp != y) {
        P4J_CUDA(cudaMemcpy2DAsync(y, p->out * 2, yp, p->out_p * 2, p->out * 2, tokens, cudaMemcpyDeviceToDevice, st),
                 "cudaMemcpy2DAsync (cropped y)");
    }
    return P4J_OK;
}

int run(p4j_gemm_plan* p, int backend, int64_t tokens, const void* x, void* y) {
    switch (backend) {
        case P4J_BACKEND_CUBLASLT: {
            void* ws = nullptr;
            size_t ws_bytes = 0;
            P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
            if (p->lt == nullptr) {
                p4j::LtLibrary* lib = nullptr;
                P4J_CHECK(p4j::lt_library(&lib));
                P4J_CHECK(p4j::lt_plan_create(lib, p->dtype, p->out, p->in, p->values, p->bias_dtype, &p->lt));
            }
            return p4j::lt_plan_run(p->lt, tokens, x, y, ws, ws_bytes, p->ctx->stream);
        }
        case P4J_BACKEND_DECODE:
            return p4j::sparse24_gemv(p->dtype, p->values, p->meta, p->out, p->in, x, int(tokens), p->bias_f32, y,
                                      p->ctx->sm_count, p->ctx->stream);
        case P4J_BACKEND_CUTLASS_SM80:
            return run_sm80(p, tokens, x, y);
        case P4J_BACKEND_CUTLASS_SM90:
            return run_sm90(p, tokens, x, y);
        default:
            return fail(P4J_ERR_INVALID_ARGUMENT, "unknown backend %d", backend);
    }
}

int checked_backend(p4j_gemm_plan* p, int32_t backend, int64_t tokens, int* chosen) {
    if (p == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (tokens < 1 || tokens > INT32_MAX) return fail(P4J_ERR_INVALID_ARGUMENT, "tokens %lld out of range", (long long)tokens);
    *chosen = resolve(p, backend, tokens);
    if (*chosen < 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "backend %d cannot run a %s [%lld, %lld] plan with %lld tokens on %s (sm_%d%d)",
                    backend, p->format == P4J_WEIGHT_DENSE ? "dense" : "2:4", (long long)p->out, (long long)p->in,
                    (long long)tokens, p->ctx->name, p->ctx->major, p->ctx->minor);
    }
    return P4J_OK;
}

}  // namespace

namespace p4j {
void gemm_shared_release(p4j_context* ctx) {
    if (ctx->gemm == nullptr) return;
    cudaFree(ctx->gemm->workspace);
    cudaFree(ctx->gemm->scratch[0]);
    cudaFree(ctx->gemm->scratch[1]);
    if (ctx->gemm->start != nullptr) cudaEventDestroy(ctx->gemm->start);
    if (ctx->gemm->stop != nullptr) cudaEventDestroy(ctx->gemm->stop);
    delete ctx->gemm;
    ctx->gemm = nullptr;
}
}  // namespace p4j

extern "C" {

int prune4j_gemm_plan_create(p4j_context* ctx, int32_t weight_format, int32_t dtype, int64_t out_features,
                             int64_t in_features, const void* values, const void* meta, const float* bias,
                             p4j_gemm_plan** out) {
    if (out == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    P4J_CHECK(p4j::enter(ctx));
    if (dtype != P4J_DTYPE_F16 && dtype != P4J_DTYPE_BF16) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "GEMM plan: dtype code %d is not F16 or BF16", dtype);
    }
    if (out_features < 1 || in_features < 1 || out_features > INT32_MAX || in_features > INT32_MAX - PAD) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "GEMM plan: weight [%lld, %lld] out of range", (long long)out_features,
                    (long long)in_features);
    }
    if (values == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "GEMM plan: values is NULL");
    if (weight_format == P4J_WEIGHT_SPARSE24) {
        if (meta == nullptr || in_features % 4 != 0) {
            return fail(P4J_ERR_INVALID_ARGUMENT, "2:4 plan [%lld, %lld]: meta is NULL or in_features not a multiple of 4",
                        (long long)out_features, (long long)in_features);
        }
    } else if (weight_format != P4J_WEIGHT_DENSE) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "unknown weight format %d", weight_format);
    }
    p4j_gemm_plan* p = new (std::nothrow) p4j_gemm_plan{};
    if (p == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    p->ctx = ctx;
    p->format = weight_format;
    p->dtype = dtype;
    p->out = out_features;
    p->in = in_features;
    p->out_p = round_up(out_features, PAD);
    p->in_p = round_up(in_features, PAD);
    const bool sparse = weight_format == P4J_WEIGHT_SPARSE24;
    const size_t value_bytes = size_t(out_features) * size_t(sparse ? in_features / 2 : in_features) * 2;
    const size_t meta_bytes = size_t(out_features) * size_t((in_features + 7) / 8);
    cudaStream_t st = ctx->stream;
    int status = alloc(&p->values, value_bytes, "cudaMalloc (weight values)");
    if (status == P4J_OK && cudaMemcpyAsync(p->values, values, value_bytes, cudaMemcpyHostToDevice, st) != cudaSuccess) {
        status = p4j::cuda_fail(cudaGetLastError(), "cudaMemcpyAsync (weight)");
    }
    if (status == P4J_OK && sparse) {
        status = alloc(reinterpret_cast<void**>(&p->meta), meta_bytes, "cudaMalloc (weight metadata)");
        if (status == P4J_OK && cudaMemcpyAsync(p->meta, meta, meta_bytes, cudaMemcpyHostToDevice, st) != cudaSuccess) {
            status = p4j::cuda_fail(cudaGetLastError(), "cudaMemcpyAsync (metadata)");
        }
    }
    if (status == P4J_OK && bias != nullptr) {
        status = alloc(reinterpret_cast<void**>(&p->bias_f32), size_t(p->out_p) * 4, "cudaMalloc (bias)");
        if (status == P4J_OK) {
            cudaMemsetAsync(p->bias_f32, 0, size_t(p->out_p) * 4, st);
            cudaMemcpyAsync(p->bias_f32, bias, size_t(out_features) * 4, cudaMemcpyHostToDevice, st);
            status = alloc(&p->bias_dtype, size_t(out_features) * 2, "cudaMalloc (bias in dtype)");
        }
        if (status == P4J_OK) status = p4j::f32_to_dtype(p->bias_f32, out_features, dtype, p->bias_dtype, st);
    }
    if (status == P4J_OK && cudaStreamSynchronize(st) != cudaSuccess) {
        status = p4j::cuda_fail(cudaGetLastError(), "cudaStreamSynchronize (plan upload)");
    }
    if (status != P4J_OK) {
        free_plan(p);
        return status;
    }
    *out = p;
    return P4J_OK;
}

int prune4j_gemm_plan_destroy(p4j_gemm_plan* plan) {
    if (plan == nullptr) return P4J_OK;
    P4J_CHECK(p4j::enter(plan->ctx));
    cudaError_t err = cudaStreamSynchronize(plan->ctx->stream);
    free_plan(plan);
    P4J_CUDA(err, "cudaStreamSynchronize (plan destroy)");
    return P4J_OK;
}

int prune4j_gemm_backend(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, int32_t* chosen) {
    if (plan == nullptr || chosen == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "plan or chosen is NULL");
    *chosen = tokens < 1 ? -1 : resolve(plan, backend, tokens);
    return P4J_OK;
}

int prune4j_gemm_run(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y) {
    int chosen = -1;
    P4J_CHECK(checked_backend(plan, backend, tokens, &chosen));
    P4J_CHECK(p4j::enter(plan->ctx));
    if (x == nullptr || y == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "gemm_run: x or y is NULL");
    P4J_CHECK(run(plan, chosen, tokens, x, y));
    P4J_CUDA(cudaGetLastError(), "gemm_run");
    return P4J_OK;
}

/* The context's pair of timing events, created on first use. */
static int timing_events(p4j_context* ctx, p4j_gemm_shared** out) {
    P4J_CHECK(shared(ctx, out));
    if ((*out)->start == nullptr) {
        P4J_CUDA(cudaEventCreate(&(*out)->start), "cudaEventCreate");
        P4J_CUDA(cudaEventCreate(&(*out)->stop), "cudaEventCreate");
    }
    return P4J_OK;
}

int prune4j_gemm_run_timed(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y,
                           float* kernel_milliseconds) {
    if (kernel_milliseconds == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "gemm_run_timed: kernel_milliseconds is NULL");
    }
    int chosen = -1;
    P4J_CHECK(checked_backend(plan, backend, tokens, &chosen));
    P4J_CHECK(p4j::enter(plan->ctx));
    if (x == nullptr || y == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "gemm_run_timed: x or y is NULL");
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(timing_events(plan->ctx, &s));
    cudaStream_t st = plan->ctx->stream;
    P4J_CUDA(cudaEventRecord(s->start, st), "cudaEventRecord");
    P4J_CHECK(run(plan, chosen, tokens, x, y));
    P4J_CUDA(cudaGetLastError(), "gemm_run_timed");
    P4J_CUDA(cudaEventRecord(s->stop, st), "cudaEventRecord");
    P4J_CUDA(cudaEventSynchronize(s->stop), "cudaEventSynchronize");
    P4J_CUDA(cudaEventElapsedTime(kernel_milliseconds, s->start, s->stop), "cudaEventElapsedTime");
    return P4J_OK;
}

int prune4j_gemm_time(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y,
                      int32_t iterations, int32_t sync_each, float* milliseconds) {
    if (milliseconds == nullptr || iterations < 1) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "gemm_time: milliseconds is NULL or iterations < 1");
    }
    P4J_CHECK(prune4j_gemm_run(plan, backend, tokens, x, y));  // warm-up: prepares layouts, picks algorithms
    int chosen = resolve(plan, backend, tokens);
    p4j_context* ctx = plan->ctx;
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (gemm_time)");
    if (sync_each) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; i++) {
            P4J_CHECK(run(plan, chosen, tokens, x, y));
            P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (gemm_time)");
        }
        auto t1 = std::chrono::steady_clock::now();
        *milliseconds = float(std::chrono::duration<double, std::milli>(t1 - t0).count() / iterations);
        return P4J_OK;
    }
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(timing_events(ctx, &s));
    P4J_CUDA(cudaEventRecord(s->start, ctx->stream), "cudaEventRecord");
    for (int i = 0; i < iterations; i++) {
        P4J_CHECK(run(plan, chosen, tokens, x, y));
    }
    P4J_CUDA(cudaEventRecord(s->stop, ctx->stream), "cudaEventRecord");
    P4J_CUDA(cudaEventSynchronize(s->stop), "cudaEventSynchronize");
    float ms = 0;
    P4J_CUDA(cudaEventElapsedTime(&ms, s->start, s->stop), "cudaEventElapsedTime");
    *milliseconds = ms / iterations;
    return P4J_OK;
}

int prune4j_gemm_export_sparse24(p4j_gemm_plan* plan, int32_t backend, void* values, void* meta) {
    if (plan == nullptr || values == nullptr || meta == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "export: plan, values or meta is NULL");
    }
    if (plan->format != P4J_WEIGHT_SPARSE24) return fail(P4J_ERR_INVALID_ARGUMENT, "export: the plan is dense");
    P4J_CHECK(p4j::enter(plan->ctx));
    cudaStream_t st = plan->ctx->stream;
    const size_t value_bytes = size_t(plan->out) * size_t(plan->in / 2) * 2;
    const size_t meta_bytes = size_t(plan->out) * size_t((plan->in + 7) / 8);
    if (backend == P4J_BACKEND_DECODE) {
        P4J_CUDA(cudaMemcpyAsync(values, plan->values, value_bytes, cudaMemcpyDeviceToHost, st), "cudaMemcpyAsync (export)");
        P4J_CUDA(cudaMemcpyAsync(meta, plan->meta, meta_bytes, cudaMemcpyDeviceToHost, st), "cudaMemcpyAsync (export)");
        P4J_CUDA(cudaStreamSynchronize(st), "cudaStreamSynchronize (export)");
        return P4J_OK;
    }
    if (backend != P4J_BACKEND_CUTLASS_SM80) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "export from backend %d is not supported (DECODE and CUTLASS_SM80 are)", backend);
    }
    P4J_CHECK(prepare_sm80(plan));
    void *meta_p = nullptr, *values_c = nullptr, *meta_c = nullptr;
    int status = alloc(&meta_p, size_t(plan->out_p) * (plan->in_p / 8), "cudaMalloc (export)");
    if (status == P4J_OK) status = alloc(&values_c, value_bytes, "cudaMalloc (export)");
    if (status == P4J_OK) status = alloc(&meta_c, meta_bytes, "cudaMalloc (export)");
    if (status == P4J_OK) {
        status = p4j::sm80_unreorder_meta(plan->meta80, plan->out_p, plan->in_p, static_cast<uint16_t*>(meta_p), st);
    }
    if (status == P4J_OK) {
        status = p4j::sparse24_crop(static_cast<const uint16_t*>(plan->values80), static_cast<const uint8_t*>(meta_p),
                                    plan->out_p, plan->in_p, static_cast<uint16_t*>(values_c),
                                    static_cast<uint8_t*>(meta_c), plan->out, plan->in, st);
    }
    if (status == P4J_OK && (cudaMemcpyAsync(values, values_c, value_bytes, cudaMemcpyDeviceToHost, st) != cudaSuccess ||
                             cudaMemcpyAsync(meta, meta_c, meta_bytes, cudaMemcpyDeviceToHost, st) != cudaSuccess)) {
        status = p4j::cuda_fail(cudaGetLastError(), "cudaMemcpyAsync (export)");
    }
    cudaStreamSynchronize(st);
    cudaFree(meta_p);
    cudaFree(values_c);
    cudaFree(meta_c);
    return status;
}

}  // extern "C"
