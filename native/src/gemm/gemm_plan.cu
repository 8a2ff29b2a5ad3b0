// The linear-layer C ABI (prune4j_gemm_*): a plan uploads a layer's weight once, derives the layouts
// of its backends on the device (lazily, on first use of a backend), pads shapes to the kernels'
// tiles, and dispatches each call: cuBLASLt for dense weights; for 2:4 weights the backend measured
// fastest for the token bucket (prune4j_gemm_tune), else the decode kernel up to the plan's decode
// threshold, CUTLASS sm_90a on Hopper, CUTLASS sm_80 elsewhere. Also the honest-timing entry points.
#include "gemm/dense_cublaslt.cuh"
#include "gemm/gemm_math.cuh"
#include "gemm/sparse24_convert.cuh"
#include "gemm/sparse_cusparselt.cuh"
#include "gemm/sparse_gemm_sm80.h"
#include "gemm/sparse_gemm_sm90.h"
#include "gemm/sparse_gemv.cuh"
#include "gemm/timing.cuh"
#include "linalg_shared.cuh"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <vector>

using p4j::fail;

namespace {
constexpr int BACKEND_COUNT = 6;  // P4J_BACKEND_AUTO .. P4J_BACKEND_CUSPARSELT
constexpr int NO_TILE = -1;
struct Choice {
    int backend = -1;  // -1: not tuned
    int tile = NO_TILE;
};
}  // namespace

// Per-context state shared by all plans: everything runs on the context's one stream, so plans can
// share the workspace and the scratch buffers.
struct p4j_gemm_shared {
    void* workspace = nullptr;
    size_t workspace_bytes = 0;
    void* scratch[2] = {nullptr, nullptr};
    size_t scratch_bytes[2] = {0, 0};
    float* decode_partials = nullptr;
    size_t decode_partial_bytes = 0;
    unsigned* decode_counters = nullptr;
    size_t decode_counter_bytes = 0;
    void* scrub = nullptr;  // L2 scrub buffer (4 x the L2 size)
    size_t scrub_bytes = 0;
    unsigned* sink = nullptr;
    int* hold_flag = nullptr;  // mapped host memory read by hold_stream
    int* hold_flag_device = nullptr;
    cudaEvent_t start = nullptr, stop = nullptr;
    int decode_max_tokens = P4J_DECODE_DEFAULT_MAX_TOKENS;
    p4j::CsltContext* cslt = nullptr;
    p4j_gemm_plan* plans = nullptr;  // every live plan of the context (doubly linked)
};

struct p4j_gemm_plan {
    p4j_context* ctx;  // NULL once the context was destroyed: the plan is inert
    p4j_gemm_plan* prev = nullptr;
    p4j_gemm_plan* next = nullptr;
    int format;
    int dtype;
    int64_t out, in;
    int64_t out_p, in_p;            // padded to 128 (CUTLASS tiles)
    void* values = nullptr;         // dense W [out, in], or canonical 2:4 values [out, in/2]
    uint8_t* meta = nullptr;        // canonical metadata [out, ceil(in/8)]
    float* bias_f32 = nullptr;      // [out_p], zeros past out; NULL when the layer has no bias
    void* bias_dtype = nullptr;     // [out_p] in dtype (cuBLASLt's and cuSPARSELt's bias epilogues)
    p4j::LtPlan* lt = nullptr;
    // sm_80: values padded (or the canonical ones when no padding is needed) and reordered metadata.
    void* values80 = nullptr;
    bool values80_owned = false;
    uint16_t* meta80 = nullptr;
    // sm_90a: CUTLASS's compressed values and metadata, a zero bias when the layer has none, and the
    // initialized GEMM object per token bucket.
    void* values90 = nullptr;
    void* meta90 = nullptr;
    float* zero_bias = nullptr;
    p4j::Sm90Gemm* sm90[p4j::TOKEN_BUCKETS] = {};
    p4j::CsltWeight* cslt = nullptr;
    int decode_max_tokens = P4J_DECODE_DEFAULT_MAX_TOKENS;
    Choice choice[p4j::TOKEN_BUCKETS];
};

namespace {

constexpr size_t WORKSPACE_BYTES = size_t(32) << 20;  // what PyTorch gives cuBLASLt on Hopper
constexpr int64_t PAD = 128;

using p4j::round_up;

bool sm90_device(const p4j_context* ctx) { return ctx->major == 9 && ctx->minor == 0; }

int shared(p4j_context* ctx, p4j_gemm_shared** out) {
    if (ctx->gemm == nullptr) {
        ctx->gemm = new (std::nothrow) p4j_gemm_shared{};
        if (ctx->gemm == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    *out = ctx->gemm;
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

int workspace(p4j_context* ctx, void** ptr, size_t* bytes) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    if (s->workspace == nullptr) {
        P4J_CHECK(alloc(&s->workspace, WORKSPACE_BYTES, "cudaMalloc (GEMM workspace)"));
        s->workspace_bytes = WORKSPACE_BYTES;
    }
    *ptr = s->workspace;
    *bytes = s->workspace_bytes;
    return P4J_OK;
}

// Grows a shared buffer to at least bytes; the stream is drained first (earlier work may use it).
int grow(p4j_context* ctx, void** buffer, size_t* have, size_t bytes, bool zero, const char* what) {
    if (*have >= bytes) return P4J_OK;
    if (*buffer != nullptr) {
        P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (before growing GEMM scratch)");
        P4J_CUDA(cudaFree(*buffer), "cudaFree (GEMM scratch)");
        *buffer = nullptr;
        *have = 0;
    }
    P4J_CHECK(alloc(buffer, bytes, what));
    if (zero) P4J_CUDA(cudaMemsetAsync(*buffer, 0, bytes, ctx->stream), "cudaMemsetAsync (GEMM scratch)");
    *have = bytes;
    return P4J_OK;
}

// Scratch buffer slot (0: padded x, 1: padded or F32 y) of at least bytes.
int scratch(p4j_context* ctx, int slot, size_t bytes, void** ptr) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    P4J_CHECK(grow(ctx, &s->scratch[slot], &s->scratch_bytes[slot], bytes, false, "cudaMalloc (GEMM scratch)"));
    *ptr = s->scratch[slot];
    return P4J_OK;
}

void release_resources(p4j_gemm_plan* p) {
    for (p4j::Sm90Gemm*& g : p->sm90) {
        p4j::sm90_gemm_destroy(g);
        g = nullptr;
    }
    p4j::cslt_weight_destroy(p->cslt);
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
    p->cslt = nullptr;
    p->lt = nullptr;
    p->values80 = p->values90 = p->meta90 = p->values = p->bias_dtype = nullptr;
    p->meta80 = nullptr;
    p->meta = nullptr;
    p->zero_bias = p->bias_f32 = nullptr;
}

void unlink(p4j_gemm_plan* p) {
    p4j_gemm_shared* s = p->ctx->gemm;
    if (p->prev != nullptr) p->prev->next = p->next;
    if (p->next != nullptr) p->next->prev = p->prev;
    if (s != nullptr && s->plans == p) s->plans = p->next;
    p->prev = p->next = nullptr;
}

// A live plan whose context still exists, its device current on this thread.
int live(p4j_gemm_plan* p) {
    if (p == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "plan is NULL");
    if (p->ctx == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "the plan's context was destroyed (which destroyed the plan); only "
                                              "prune4j_gemm_plan_destroy may still be called on it");
    }
    return p4j::enter(p->ctx);
}

int check_aligned(const void* ptr, const char* name, const char* fn) {
    if (ptr == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "%s: %s is NULL", fn, name);
    if (reinterpret_cast<uintptr_t>(ptr) % 16 != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "%s: %s (%p) is not 16-byte aligned", fn, name, ptr);
    }
    return P4J_OK;
}

int prepare_sm80(p4j_gemm_plan* p) {
    if (p->meta80 != nullptr) return P4J_OK;
    cudaStream_t st = p->ctx->stream;
    const bool padded = p->out_p != p->out || p->in_p != p->in;
    uint8_t* meta_src = p->meta;
    uint8_t* meta_tmp = nullptr;
    int status = P4J_OK;
    if (padded) {
        status = alloc(&p->values80, size_t(p->out_p) * (p->in_p / 2) * 2, "cudaMalloc (sm80 values)");
        p->values80_owned = status == P4J_OK;
        if (status == P4J_OK) {
            status = alloc(reinterpret_cast<void**>(&meta_tmp), size_t(p->out_p) * (p->in_p / 8), "cudaMalloc (padded meta)");
        }
        if (status == P4J_OK) {
            status = p4j::sparse24_pad(static_cast<const uint16_t*>(p->values), p->meta, p->out, p->in,
                                       static_cast<uint16_t*>(p->values80), meta_tmp, p->out_p, p->in_p, st);
        }
        meta_src = meta_tmp;
    } else {
        p->values80 = p->values;
    }
    if (status == P4J_OK) {
        status = alloc(reinterpret_cast<void**>(&p->meta80), size_t(p->out_p) * (p->in_p / 8), "cudaMalloc (sm80 meta)");
    }
    if (status == P4J_OK) {
        status = p4j::sm80_reorder_meta(reinterpret_cast<const uint16_t*>(meta_src), p->out_p, p->in_p, p->meta80, st);
    }
    const cudaError_t synced = cudaStreamSynchronize(st);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (sm80 layout)");
    cudaFree(meta_tmp);
    if (status != P4J_OK) {
        if (p->values80_owned) cudaFree(p->values80);
        cudaFree(p->meta80);
        p->values80 = nullptr;
        p->values80_owned = false;
        p->meta80 = nullptr;
    }
    return status;
}

// The dense [out_p, in_p] staging copy of the weight that CUTLASS's sm90 compressor and cuSPARSELt
// compress from.
int dense_staging(p4j_gemm_plan* p, void** dense) {
    P4J_CHECK(alloc(dense, size_t(p->out_p) * p->in_p * 2, "cudaMalloc (dense staging of the 2:4 weight)"));
    int status = p4j::sparse24_decompress(static_cast<const uint16_t*>(p->values), p->meta, p->out, p->in,
                                          static_cast<uint16_t*>(*dense), p->out_p, p->in_p, p->ctx->stream);
    if (status != P4J_OK) {
        cudaFree(*dense);
        *dense = nullptr;
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
    void* dense = nullptr;
    P4J_CHECK(dense_staging(p, &dense));
    int status = alloc(&p->values90, sizes.values_bytes, "cudaMalloc (sm90 values)");
    if (status == P4J_OK) status = alloc(&p->meta90, sizes.meta_bytes, "cudaMalloc (sm90 meta)");
    void* ws = nullptr;
    size_t ws_bytes = 0;
    if (status == P4J_OK) status = workspace(p->ctx, &ws, &ws_bytes);
    // The compressor leaves padding bytes of its layout untouched: start from zeros.
    if (status == P4J_OK) status = p4j::cuda_status(cudaMemsetAsync(p->values90, 0, sizes.values_bytes, st), "cudaMemsetAsync (sm90 values)");
    if (status == P4J_OK) status = p4j::cuda_status(cudaMemsetAsync(p->meta90, 0, sizes.meta_bytes, st), "cudaMemsetAsync (sm90 meta)");
    if (status == P4J_OK) {
        p4j::Sm90Compress args{p->out_p, p->in_p, dense, p->values90, p->meta90, ws, ws_bytes,
                               p->ctx->device, p->ctx->sm_count, st};
        status = compress_fn(args);
    }
    if (status == P4J_OK && p->bias_f32 == nullptr) {
        status = alloc(reinterpret_cast<void**>(&p->zero_bias), size_t(p->out_p) * 4, "cudaMalloc (zero bias)");
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaMemsetAsync(p->zero_bias, 0, size_t(p->out_p) * 4, st), "cudaMemsetAsync (zero bias)");
        }
    }
    const cudaError_t synced = cudaStreamSynchronize(st);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (sm90 compress)");
    cudaFree(dense);
    if (status != P4J_OK) {
        cudaFree(p->values90);
        cudaFree(p->meta90);
        cudaFree(p->zero_bias);
        p->values90 = p->meta90 = nullptr;
        p->zero_bias = nullptr;
    }
    return status;
}

int prepare_cslt(p4j_gemm_plan* p) {
    if (p->cslt != nullptr) return P4J_OK;
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(p->ctx, &s));
    if (s->cslt == nullptr) P4J_CHECK(p4j::cslt_context_create(&s->cslt));
    void* dense = nullptr;
    P4J_CHECK(dense_staging(p, &dense));
    int status = p4j::cslt_weight_create(s->cslt, p->dtype, p->out_p, p->in_p, dense, p->bias_dtype, p->ctx->stream, &p->cslt);
    cudaFree(dense);
    return status;
}

bool cslt_loadable() {
    p4j::CsltLibrary* lib = nullptr;
    char saved[1024];
    std::snprintf(saved, sizeof saved, "%s", prune4j_last_error());
    const bool ok = p4j::cslt_library(&lib) == P4J_OK;
    p4j::fail(P4J_OK, "%s", saved);  // a probe must not replace the caller's last error
    return ok;
}

// The backend AUTO means, or whether backend can run here; -1 when it cannot.
int resolve(const p4j_gemm_plan* p, int backend, int64_t tokens) {
    const p4j_context* ctx = p->ctx;
    if (p->format == P4J_WEIGHT_DENSE) {
        return backend == P4J_BACKEND_AUTO || backend == P4J_BACKEND_CUBLASLT ? P4J_BACKEND_CUBLASLT : -1;
    }
    switch (backend) {
        case P4J_BACKEND_AUTO: {
            const Choice& c = p->choice[p4j::token_bucket(tokens)];
            if (c.backend >= 0 && resolve(p, c.backend, tokens) == c.backend) return c.backend;
            if (tokens <= p->decode_max_tokens) return P4J_BACKEND_DECODE;
            if (sm90_device(ctx) && p4j::sm90_built()) return P4J_BACKEND_CUTLASS_SM90;
            return ctx->major >= 8 ? P4J_BACKEND_CUTLASS_SM80 : -1;
        }
        case P4J_BACKEND_DECODE:
            return tokens <= P4J_DECODE_MAX_TOKENS && ctx->major >= 8 ? P4J_BACKEND_DECODE : -1;
        case P4J_BACKEND_CUTLASS_SM90:
            return sm90_device(ctx) && p4j::sm90_built() ? P4J_BACKEND_CUTLASS_SM90 : -1;
        case P4J_BACKEND_CUTLASS_SM80:
            // Built for sm_80 and sm_90 (SASS); Ampere, Ada and Hopper.
            return (ctx->major == 8 || sm90_device(ctx)) ? P4J_BACKEND_CUTLASS_SM80 : -1;
        case P4J_BACKEND_CUSPARSELT:
            return ctx->major >= 8 && cslt_loadable() ? P4J_BACKEND_CUSPARSELT : -1;
        default:
            return -1;
    }
}

// x padded to [n_p, in_p] in scratch slot 0 when the shape needs it (zeros in the padding).
int padded_x(p4j_gemm_plan* p, int64_t tokens, int64_t n_p, const void* x, const void** xp) {
    *xp = x;
    if (n_p == tokens && p->in_p == p->in) return P4J_OK;
    cudaStream_t st = p->ctx->stream;
    void* buf = nullptr;
    P4J_CHECK(scratch(p->ctx, 0, size_t(n_p) * p->in_p * 2, &buf));
    P4J_CUDA(cudaMemsetAsync(buf, 0, size_t(n_p) * p->in_p * 2, st), "cudaMemsetAsync (padded x)");
    P4J_CUDA(cudaMemcpy2DAsync(buf, p->in_p * 2, x, p->in * 2, p->in * 2, tokens, cudaMemcpyDeviceToDevice, st),
             "cudaMemcpy2DAsync (padded x)");
    *xp = buf;
    return P4J_OK;
}

int run_sm80(p4j_gemm_plan* p, int tile, int64_t tokens, const void* x, void* y) {
    P4J_CHECK(prepare_sm80(p));
    cudaStream_t st = p->ctx->stream;
    const int64_t n_p = round_up(tokens, p4j::SM80_N_ALIGN);
    const void* xp = nullptr;
    P4J_CHECK(padded_x(p, tokens, n_p, x, &xp));
    void* out32 = nullptr;
    P4J_CHECK(scratch(p->ctx, 1, size_t(p->out_p) * n_p * 4, &out32));
    void* ws = nullptr;
    size_t ws_bytes = 0;
    P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
    if (tile == NO_TILE) tile = n_p <= 64 ? p4j::P4J_SM80_TILE_NARROW : p4j::P4J_SM80_TILE_WIDE;
    p4j::Sm80Run r{p->out_p, n_p, p->in_p, p->dtype, tile, p->values80, p->meta80, xp, static_cast<float*>(out32),
                   ws, ws_bytes, st};
    P4J_CHECK(p4j::sm80_run(r));
    return p4j::transpose_bias_round(static_cast<const float*>(out32), n_p, p->out, tokens, p->bias_f32, p->dtype, y, st);
}

int run_sm90(p4j_gemm_plan* p, int tile, int64_t tokens, const void* x, void* y) {
    P4J_CHECK(prepare_sm90(p));
    cudaStream_t st = p->ctx->stream;
    const void* xp = nullptr;
    P4J_CHECK(padded_x(p, tokens, tokens, x, &xp));
    void* yp = y;
    if (p->out_p != p->out) {
        P4J_CHECK(scratch(p->ctx, 1, size_t(tokens) * p->out_p * 2, &yp));
    }
    void* ws = nullptr;
    size_t ws_bytes = 0;
    P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
    if (tile == NO_TILE) tile = tokens <= 256 ? p4j::P4J_TILE_NARROW : p4j::P4J_TILE_WIDE;
    p4j::Sm90Run r{p->out_p, tokens, p->in_p, tile, p->values90, p->meta90, xp,
                   p->bias_f32 != nullptr ? p->bias_f32 : p->zero_bias, yp, ws, ws_bytes,
                   p->ctx->device, p->ctx->sm_count, st};
    p4j::Sm90Gemm** cache = &p->sm90[p4j::token_bucket(tokens)];
    P4J_CHECK(p->dtype == P4J_DTYPE_F16 ? p4j::sm90_run_f16(r, cache) : p4j::sm90_run_bf16(r, cache));
    if (yp != y) {
        P4J_CUDA(cudaMemcpy2DAsync(y, p->out * 2, yp, p->out_p * 2, p->out * 2, tokens, cudaMemcpyDeviceToDevice, st),
                 "cudaMemcpy2DAsync (cropped y)");
    }
    return P4J_OK;
}

int run_cslt(p4j_gemm_plan* p, bool search, int64_t tokens, const void* x, void* y) {
    P4J_CHECK(prepare_cslt(p));
    cudaStream_t st = p->ctx->stream;
    const int64_t n_p = round_up(tokens, 16);
    const void* xp = nullptr;
    P4J_CHECK(padded_x(p, tokens, n_p, x, &xp));
    void* yp = y;
    if (p->out_p != p->out || n_p != tokens) {
        P4J_CHECK(scratch(p->ctx, 1, size_t(n_p) * p->out_p * 2, &yp));
    }
    void* ws = nullptr;
    size_t ws_bytes = 0;
    P4J_CHECK(workspace(p->ctx, &ws, &ws_bytes));
    P4J_CHECK(p4j::cslt_run(p->cslt, n_p, xp, yp, ws, ws_bytes, search, st));
    if (yp != y) {
        P4J_CUDA(cudaMemcpy2DAsync(y, p->out * 2, yp, p->out_p * 2, p->out * 2, tokens, cudaMemcpyDeviceToDevice, st),
                 "cudaMemcpy2DAsync (cropped y)");
    }
    return P4J_OK;
}

int run_decode(p4j_gemm_plan* p, int64_t tokens, const void* x, void* y) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(p->ctx, &s));
    const p4j::DecodeScratch need = p4j::decode_scratch_needed(p->out, p->in, int(tokens), p->ctx->sm_count);
    if (need.partial_bytes > 0) {
        P4J_CHECK(grow(p->ctx, reinterpret_cast<void**>(&s->decode_partials), &s->decode_partial_bytes, need.partial_bytes,
                       false, "cudaMalloc (decode partial sums)"));
        // Counters start at zero and every launch leaves them at zero.
        P4J_CHECK(grow(p->ctx, reinterpret_cast<void**>(&s->decode_counters), &s->decode_counter_bytes, need.counter_bytes,
                       true, "cudaMalloc (decode counters)"));
    }
    p4j::DecodeRun r{p->dtype, p->values, p->meta, p->out, p->in, x, int(tokens), p->bias_f32, y,
                     s->decode_partials, s->decode_partial_bytes, s->decode_counters, p->ctx->sm_count, p->ctx->stream};
    return p4j::sparse24_gemv(r);
}

// One call of backend (already resolved) with tile (NO_TILE: the heuristic's).
int run(p4j_gemm_plan* p, int backend, int tile, int64_t tokens, const void* x, void* y, bool search = false) {
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
            return run_decode(p, tokens, x, y);
        case P4J_BACKEND_CUTLASS_SM80:
            return run_sm80(p, tile, tokens, x, y);
        case P4J_BACKEND_CUTLASS_SM90:
            return run_sm90(p, tile, tokens, x, y);
        case P4J_BACKEND_CUSPARSELT:
            return run_cslt(p, search, tokens, x, y);
        default:
            return fail(P4J_ERR_INVALID_ARGUMENT, "unknown backend %d", backend);
    }
}

// The tile the plan's tuning chose for (backend, tokens), or NO_TILE.
int tuned_tile(const p4j_gemm_plan* p, int backend, int64_t tokens) {
    const Choice& c = p->choice[p4j::token_bucket(tokens)];
    return c.backend == backend ? c.tile : NO_TILE;
}

int checked_backend(p4j_gemm_plan* p, int32_t backend, int64_t tokens, int* chosen) {
    P4J_CHECK(live(p));
    if (tokens < 1 || tokens > INT32_MAX) return fail(P4J_ERR_INVALID_ARGUMENT, "tokens %lld out of range", (long long)tokens);
    *chosen = resolve(p, backend, tokens);
    if (*chosen < 0) {
        const bool cslt = backend == P4J_BACKEND_CUSPARSELT && p->format == P4J_WEIGHT_SPARSE24;
        return fail(P4J_ERR_INVALID_ARGUMENT, "backend %d cannot run a %s [%lld, %lld] plan with %lld tokens on %s (sm_%d%d)%s%s",
                    backend, p->format == P4J_WEIGHT_DENSE ? "dense" : "2:4", (long long)p->out, (long long)p->in,
                    (long long)tokens, p->ctx->name, p->ctx->major, p->ctx->minor, cslt ? ": " : "",
                    cslt ? p4j::cslt_library_description().c_str() : "");
    }
    return P4J_OK;
}

int call(p4j_gemm_plan* p, int backend, int64_t tokens, const void* x, void* y, const char* fn) {
    P4J_CHECK(check_aligned(x, "x", fn));
    P4J_CHECK(check_aligned(y, "y", fn));
    P4J_CHECK(run(p, backend, tuned_tile(p, backend, tokens), tokens, x, y));
    P4J_CUDA(cudaGetLastError(), fn);
    return P4J_OK;
}

/* The context's pair of timing events, created on first use. */
int timing_events(p4j_context* ctx, p4j_gemm_shared** out) {
    P4J_CHECK(shared(ctx, out));
    if ((*out)->start == nullptr) {
        P4J_CUDA(cudaEventCreate(&(*out)->start), "cudaEventCreate");
        P4J_CUDA(cudaEventCreate(&(*out)->stop), "cudaEventCreate");
    }
    return P4J_OK;
}

// The L2 scrub buffer (4 x the device's L2, at least 64 MiB) and the mapped hold flag.
int timing_buffers(p4j_context* ctx, p4j_gemm_shared** out) {
    P4J_CHECK(shared(ctx, out));
    p4j_gemm_shared* s = *out;
    if (s->scrub == nullptr) {
        int l2 = 0;
        P4J_CUDA(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, ctx->device), "cudaDeviceGetAttribute (L2 size)");
        const size_t bytes = std::max<size_t>(size_t(64) << 20, size_t(l2) * 4);
        P4J_CHECK(alloc(&s->scrub, bytes, "cudaMalloc (L2 scrub buffer)"));
        s->scrub_bytes = bytes;
        P4J_CUDA(cudaMemsetAsync(s->scrub, 0, bytes, ctx->stream), "cudaMemsetAsync (L2 scrub buffer)");
    }
    if (s->sink == nullptr) P4J_CHECK(alloc(reinterpret_cast<void**>(&s->sink), sizeof(unsigned), "cudaMalloc (sink)"));
    if (s->hold_flag == nullptr) {
        P4J_CUDA(cudaHostAlloc(reinterpret_cast<void**>(&s->hold_flag), sizeof(int), cudaHostAllocMapped),
                 "cudaHostAlloc (timing flag)");
        P4J_CUDA(cudaHostGetDevicePointer(reinterpret_cast<void**>(&s->hold_flag_device), s->hold_flag, 0),
                 "cudaHostGetDevicePointer (timing flag)");
    }
    return P4J_OK;
}

// One timed call: what the benchmark and the tuners run.
struct Arm {
    p4j_gemm_plan* plan;
    int backend;
    int tile;
};

constexpr int BATCH = 16;  // timed iterations queued behind one hold (well within the launch queue)

// Times iterations rounds of the arms (ABBA order, copy i % copies), with an L2 scrub before every
// call when flush, after warmup_ms of the same work untimed. ms[i * arms + a]: device time of call
// (i, a) between its own CUDA events; the host queues a whole batch behind hold_stream first.
int time_arms(p4j_context* ctx, const std::vector<Arm>& arms, int copies, int64_t tokens, const void* const* xs,
              void* const* ys, bool flush, int warmup_ms, int iterations, float* ms) {
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(timing_buffers(ctx, &s));
    const int n_arms = int(arms.size()) / copies;
    cudaStream_t st = ctx->stream;
    auto one_round = [&](int i, std::vector<cudaEvent_t>* events) -> int {
        const int c = i % copies;
        for (int k = 0; k < n_arms; k++) {
            const int a = i % 2 == 0 ? k : n_arms - 1 - k;
            const Arm& arm = arms[size_t(a) * copies + c];
            if (flush) P4J_CHECK(p4j::l2_scrub(s->scrub, s->scrub_bytes, s->sink, ctx->sm_count, st));
            if (events != nullptr) P4J_CUDA(cudaEventRecord((*events)[2 * a], st), "cudaEventRecord");
            P4J_CHECK(run(arm.plan, arm.backend, arm.tile, tokens, xs[c], ys[c]));
            if (events != nullptr) P4J_CUDA(cudaEventRecord((*events)[2 * a + 1], st), "cudaEventRecord");
        }
        return P4J_OK;
    };
    // Prepare every layout and algorithm, then warm up (clocks, caches of descriptors) untimed.
    for (int c = 0; c < copies; c++) P4J_CHECK(one_round(c, nullptr));
    P4J_CUDA(cudaStreamSynchronize(st), "cudaStreamSynchronize (benchmark warm-up)");
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(warmup_ms); i++) {
        P4J_CHECK(one_round(i, nullptr));
        if (i % 8 == 7) P4J_CUDA(cudaStreamSynchronize(st), "cudaStreamSynchronize (benchmark warm-up)");
    }
    P4J_CUDA(cudaStreamSynchronize(st), "cudaStreamSynchronize (benchmark warm-up)");
    std::vector<cudaEvent_t> events(size_t(BATCH) * n_arms * 2, nullptr);
    int status = P4J_OK;
    for (cudaEvent_t& e : events) {
        if (status == P4J_OK) status = p4j::cuda_status(cudaEventCreate(&e), "cudaEventCreate");
    }
    for (int b0 = 0; status == P4J_OK && b0 < iterations; b0 += BATCH) {
        const int batch = std::min(BATCH, iterations - b0);
        *s->hold_flag = 0;
        status = p4j::hold_stream(s->hold_flag_device, 2000000000ull, st);
        for (int i = 0; status == P4J_OK && i < batch; i++) {
            std::vector<cudaEvent_t> round(events.begin() + size_t(i) * n_arms * 2, events.begin() + size_t(i + 1) * n_arms * 2);
            status = one_round(b0 + i, &round);
        }
        *reinterpret_cast<volatile int*>(s->hold_flag) = 1;
        const cudaError_t synced = cudaStreamSynchronize(st);
        if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (benchmark)");
        for (int i = 0; status == P4J_OK && i < batch; i++) {
            for (int a = 0; status == P4J_OK && a < n_arms; a++) {
                const size_t e = (size_t(i) * n_arms + a) * 2;
                status = p4j::cuda_status(cudaEventElapsedTime(&ms[size_t(b0 + i) * n_arms + a], events[e], events[e + 1]),
                                          "cudaEventElapsedTime");
            }
        }
    }
    for (cudaEvent_t e : events) {
        if (e != nullptr) cudaEventDestroy(e);
    }
    return status;
}

float median(std::vector<float> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0f : v.size() % 2 == 1 ? v[v.size() / 2] : 0.5f * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Device x [tokens, in] (zeros) and y [tokens, out] for the tuners, freed by the destructor.
struct TuneBuffers {
    void* x = nullptr;
    void* y = nullptr;
    ~TuneBuffers() {
        cudaFree(x);
        cudaFree(y);
    }
    int make(p4j_gemm_plan* p, int64_t tokens) {
        P4J_CHECK(alloc(&x, size_t(tokens) * p->in * 2, "cudaMalloc (tuning x)"));
        P4J_CHECK(alloc(&y, size_t(tokens) * p->out * 2, "cudaMalloc (tuning y)"));
        P4J_CUDA(cudaMemsetAsync(x, 0, size_t(tokens) * p->in * 2, p->ctx->stream), "cudaMemsetAsync (tuning x)");
        return P4J_OK;
    }
};

// Median device time of one candidate with an L2 scrub before each call; -1 when it cannot run.
int time_candidate(p4j_gemm_plan* p, int backend, int tile, int64_t tokens, const TuneBuffers& b, int iterations,
                   float* out) {
    *out = -1.0f;
    if (resolve(p, backend, tokens) != backend) return P4J_OK;
    if (backend == P4J_BACKEND_CUSPARSELT) {
        // cuSPARSELt's own search picks its kernel for this token count before it is timed.
        P4J_CHECK(run(p, backend, tile, tokens, b.x, b.y, true));
    }
    std::vector<Arm> arms{{p, backend, tile}};
    std::vector<float> ms(static_cast<size_t>(iterations), 0.0f);
    const void* xs[1] = {b.x};
    void* ys[1] = {b.y};
    P4J_CHECK(time_arms(p->ctx, arms, 1, tokens, xs, ys, true, 50, iterations, ms.data()));
    *out = median(ms);
    return P4J_OK;
}

struct Candidate {
    int backend, tile;
};

// Every tensor-core candidate for a 2:4 plan: CUTLASS's compiled tiles and cuSPARSELt.
std::vector<Candidate> tensor_core_candidates() {
    return {{P4J_BACKEND_CUTLASS_SM90, p4j::P4J_TILE_NARROW}, {P4J_BACKEND_CUTLASS_SM90, p4j::P4J_TILE_WIDE},
            {P4J_BACKEND_CUTLASS_SM80, p4j::P4J_SM80_TILE_NARROW}, {P4J_BACKEND_CUTLASS_SM80, p4j::P4J_SM80_TILE_WIDE},
            {P4J_BACKEND_CUSPARSELT, NO_TILE}};
}

}  // namespace

namespace p4j {
void gemm_shared_release(p4j_context* ctx) {
    p4j_gemm_shared* s = ctx->gemm;
    if (s == nullptr) return;
    // Plans first (their cuSPARSELt state needs the handle); their handles stay valid and inert.
    for (p4j_gemm_plan* p = s->plans; p != nullptr;) {
        p4j_gemm_plan* next = p->next;
        release_resources(p);
        p->ctx = nullptr;
        p->prev = p->next = nullptr;
        p = next;
    }
    s->plans = nullptr;
    cslt_context_destroy(s->cslt);
    cudaFree(s->workspace);
    cudaFree(s->scratch[0]);
    cudaFree(s->scratch[1]);
    cudaFree(s->decode_partials);
    cudaFree(s->decode_counters);
    cudaFree(s->scrub);
    cudaFree(s->sink);
    if (s->hold_flag != nullptr) cudaFreeHost(s->hold_flag);
    if (s->start != nullptr) cudaEventDestroy(s->start);
    if (s->stop != nullptr) cudaEventDestroy(s->stop);
    delete s;
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
    if (out_features < 1 || in_features < 1 || out_features > INT32_MAX - PAD || in_features > INT32_MAX - PAD) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "GEMM plan: weight [%lld, %lld] out of range", (long long)out_features,
                    (long long)in_features);
    }
    if (values == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "GEMM plan: values is NULL");
    if (weight_format == P4J_WEIGHT_SPARSE24) {
        if (meta == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "2:4 plan: meta is NULL");
        if (in_features % 4 != 0) {
            return fail(P4J_ERR_INVALID_ARGUMENT, "2:4 plan [%lld, %lld]: in_features is not a multiple of 4",
                        (long long)out_features, (long long)in_features);
        }
    } else if (weight_format != P4J_WEIGHT_DENSE) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "unknown weight format %d", weight_format);
    }
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    p4j_gemm_plan* p = new (std::nothrow) p4j_gemm_plan{};
    if (p == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    p->ctx = ctx;
    p->format = weight_format;
    p->dtype = dtype;
    p->out = out_features;
    p->in = in_features;
    p->out_p = round_up(out_features, PAD);
    p->in_p = round_up(in_features, PAD);
    p->decode_max_tokens = s->decode_max_tokens;
    const bool sparse = weight_format == P4J_WEIGHT_SPARSE24;
    const size_t value_bytes = size_t(out_features) * size_t(sparse ? in_features / 2 : in_features) * 2;
    const size_t meta_bytes = size_t(out_features) * size_t((in_features + 7) / 8);
    cudaStream_t st = ctx->stream;
    int status = alloc(&p->values, value_bytes, "cudaMalloc (weight values)");
    if (status == P4J_OK) {
        status = p4j::cuda_status(cudaMemcpyAsync(p->values, values, value_bytes, cudaMemcpyHostToDevice, st),
                                  "cudaMemcpyAsync (weight)");
    }
    if (status == P4J_OK && sparse) {
        status = alloc(reinterpret_cast<void**>(&p->meta), meta_bytes, "cudaMalloc (weight metadata)");
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaMemcpyAsync(p->meta, meta, meta_bytes, cudaMemcpyHostToDevice, st),
                                      "cudaMemcpyAsync (metadata)");
        }
    }
    if (status == P4J_OK && bias != nullptr) {
        status = alloc(reinterpret_cast<void**>(&p->bias_f32), size_t(p->out_p) * 4, "cudaMalloc (bias)");
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaMemsetAsync(p->bias_f32, 0, size_t(p->out_p) * 4, st), "cudaMemsetAsync (bias)");
        }
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaMemcpyAsync(p->bias_f32, bias, size_t(out_features) * 4, cudaMemcpyHostToDevice, st),
                                      "cudaMemcpyAsync (bias)");
        }
        if (status == P4J_OK) status = alloc(&p->bias_dtype, size_t(p->out_p) * 2, "cudaMalloc (bias in dtype)");
        if (status == P4J_OK) status = p4j::f32_to_dtype(p->bias_f32, p->out_p, dtype, p->bias_dtype, st);
    }
    // The copies read pageable host memory: wait, so that the caller may free it on return.
    const cudaError_t synced = cudaStreamSynchronize(st);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (plan upload)");
    if (status != P4J_OK) {
        release_resources(p);
        delete p;
        return status;
    }
    p->next = s->plans;
    if (s->plans != nullptr) s->plans->prev = p;
    s->plans = p;
    *out = p;
    return P4J_OK;
}

int prune4j_gemm_plan_destroy(p4j_gemm_plan* plan) {
    if (plan == nullptr) return P4J_OK;
    if (plan->ctx == nullptr) {
        delete plan;  // its context already freed everything else
        return P4J_OK;
    }
    P4J_CHECK(p4j::enter(plan->ctx));
    const cudaError_t err = cudaStreamSynchronize(plan->ctx->stream);
    unlink(plan);
    release_resources(plan);
    delete plan;
    P4J_CUDA(err, "cudaStreamSynchronize (plan destroy)");
    return P4J_OK;
}

int prune4j_gemm_backend(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, int32_t* chosen) {
    if (chosen == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "chosen is NULL");
    *chosen = -1;
    P4J_CHECK(live(plan));
    *chosen = tokens < 1 ? -1 : resolve(plan, backend, tokens);
    return P4J_OK;
}

int prune4j_gemm_run(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y) {
    int chosen = -1;
    P4J_CHECK(checked_backend(plan, backend, tokens, &chosen));
    return call(plan, chosen, tokens, x, y, "gemm_run");
}

int prune4j_gemm_run_timed(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y,
                           float* kernel_milliseconds) {
    if (kernel_milliseconds == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "gemm_run_timed: kernel_milliseconds is NULL");
    }
    int chosen = -1;
    P4J_CHECK(checked_backend(plan, backend, tokens, &chosen));
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(timing_events(plan->ctx, &s));
    cudaStream_t st = plan->ctx->stream;
    P4J_CUDA(cudaEventRecord(s->start, st), "cudaEventRecord");
    P4J_CHECK(call(plan, chosen, tokens, x, y, "gemm_run_timed"));
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
    int chosen = -1;
    P4J_CHECK(checked_backend(plan, backend, tokens, &chosen));
    P4J_CHECK(call(plan, chosen, tokens, x, y, "gemm_time"));  // warm-up: prepares layouts, picks algorithms
    p4j_context* ctx = plan->ctx;
    const int tile = tuned_tile(plan, chosen, tokens);
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (gemm_time)");
    if (sync_each) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; i++) {
            P4J_CHECK(run(plan, chosen, tile, tokens, x, y));
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
        P4J_CHECK(run(plan, chosen, tile, tokens, x, y));
    }
    P4J_CUDA(cudaEventRecord(s->stop, ctx->stream), "cudaEventRecord");
    P4J_CUDA(cudaEventSynchronize(s->stop), "cudaEventSynchronize");
    float ms = 0;
    P4J_CUDA(cudaEventElapsedTime(&ms, s->start, s->stop), "cudaEventElapsedTime");
    *milliseconds = ms / iterations;
    return P4J_OK;
}

int prune4j_gemm_export_sparse24(p4j_gemm_plan* plan, int32_t backend, void* values, void* meta) {
    if (values == nullptr || meta == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "export: values or meta is NULL");
    P4J_CHECK(live(plan));
    if (plan->format != P4J_WEIGHT_SPARSE24) return fail(P4J_ERR_INVALID_ARGUMENT, "export: the plan is dense");
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
        return fail(P4J_ERR_INVALID_ARGUMENT,
                    "export from backend %d is not supported (DECODE and CUTLASS_SM80 are; CUTLASS_SM90's and "
                    "cuSPARSELt's compressed layouts are the libraries' own: compare their results instead)", backend);
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
    if (status == P4J_OK) {
        status = p4j::cuda_status(cudaMemcpyAsync(values, values_c, value_bytes, cudaMemcpyDeviceToHost, st), "cudaMemcpyAsync (export)");
    }
    if (status == P4J_OK) {
        status = p4j::cuda_status(cudaMemcpyAsync(meta, meta_c, meta_bytes, cudaMemcpyDeviceToHost, st), "cudaMemcpyAsync (export)");
    }
    const cudaError_t synced = cudaStreamSynchronize(st);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (export)");
    cudaFree(meta_p);
    cudaFree(values_c);
    cudaFree(meta_c);
    return status;
}

int prune4j_gemm_set_default_decode_max_tokens(p4j_context* ctx, int32_t max_tokens) {
    if (max_tokens < 0 || max_tokens > P4J_DECODE_MAX_TOKENS) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "max_tokens %d is not in 0..%d", max_tokens, P4J_DECODE_MAX_TOKENS);
    }
    P4J_CHECK(p4j::enter(ctx));
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(shared(ctx, &s));
    s->decode_max_tokens = max_tokens;
    return P4J_OK;
}

int prune4j_gemm_set_decode_max_tokens(p4j_gemm_plan* plan, int32_t max_tokens) {
    if (max_tokens < 0 || max_tokens > P4J_DECODE_MAX_TOKENS) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "max_tokens %d is not in 0..%d", max_tokens, P4J_DECODE_MAX_TOKENS);
    }
    P4J_CHECK(live(plan));
    plan->decode_max_tokens = max_tokens;
    return P4J_OK;
}

int prune4j_gemm_decode_max_tokens(p4j_gemm_plan* plan, int32_t* max_tokens) {
    if (max_tokens == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "max_tokens is NULL");
    P4J_CHECK(live(plan));
    *max_tokens = plan->decode_max_tokens;
    return P4J_OK;
}

int prune4j_gemm_tune(p4j_gemm_plan* plan, int64_t tokens, int32_t iterations, int32_t* chosen, float* backend_ms) {
    if (chosen == nullptr || backend_ms == nullptr) return fail(P4J_ERR_INVALID_ARGUMENT, "tune: chosen or backend_ms is NULL");
    if (iterations < 1 || iterations > 10000) return fail(P4J_ERR_INVALID_ARGUMENT, "tune: iterations %d not in 1..10000", iterations);
    *chosen = -1;
    for (int b = 0; b < BACKEND_COUNT; b++) backend_ms[b] = -1.0f;
    P4J_CHECK(live(plan));
    if (tokens < 1 || tokens > INT32_MAX) return fail(P4J_ERR_INVALID_ARGUMENT, "tune: tokens %lld out of range", (long long)tokens);
    TuneBuffers b;
    P4J_CHECK(b.make(plan, tokens));
    std::vector<Candidate> candidates;
    if (plan->format == P4J_WEIGHT_DENSE) {
        candidates.push_back({P4J_BACKEND_CUBLASLT, NO_TILE});
    } else {
        candidates = tensor_core_candidates();
        candidates.push_back({P4J_BACKEND_DECODE, NO_TILE});
    }
    Choice best;
    float best_ms = -1.0f;
    for (const Candidate& c : candidates) {
        float ms = -1.0f;
        P4J_CHECK(time_candidate(plan, c.backend, c.tile, tokens, b, iterations, &ms));
        if (ms < 0) continue;
        if (backend_ms[c.backend] < 0 || ms < backend_ms[c.backend]) backend_ms[c.backend] = ms;
        if (best_ms < 0 || ms < best_ms) {
            best_ms = ms;
            best.backend = c.backend;
            best.tile = c.tile;
        }
    }
    if (best.backend < 0) return fail(P4J_ERR_INVALID_ARGUMENT, "tune: no backend can run this plan here");
    plan->choice[p4j::token_bucket(tokens)] = best;
    *chosen = best.backend;
    return P4J_OK;
}

int prune4j_gemm_tune_decode(p4j_gemm_plan* plan, int32_t iterations, int32_t* max_tokens, float* decode_ms, float* gemm_ms) {
    if (max_tokens == nullptr || decode_ms == nullptr || gemm_ms == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "tune_decode: max_tokens, decode_ms or gemm_ms is NULL");
    }
    if (iterations < 1 || iterations > 10000) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "tune_decode: iterations %d not in 1..10000", iterations);
    }
    *max_tokens = -1;
    for (int t = 0; t < P4J_DECODE_MAX_TOKENS; t++) decode_ms[t] = gemm_ms[t] = -1.0f;
    P4J_CHECK(live(plan));
    if (plan->format != P4J_WEIGHT_SPARSE24) return fail(P4J_ERR_INVALID_ARGUMENT, "tune_decode: the plan is dense");
    TuneBuffers b;
    P4J_CHECK(b.make(plan, P4J_DECODE_MAX_TOKENS));
    for (int t = 1; t <= P4J_DECODE_MAX_TOKENS; t++) {
        P4J_CHECK(time_candidate(plan, P4J_BACKEND_DECODE, NO_TILE, t, b, iterations, &decode_ms[t - 1]));
        for (const Candidate& c : tensor_core_candidates()) {
            float ms = -1.0f;
            P4J_CHECK(time_candidate(plan, c.backend, c.tile, t, b, iterations, &ms));
            if (ms >= 0 && (gemm_ms[t - 1] < 0 || ms < gemm_ms[t - 1])) gemm_ms[t - 1] = ms;
        }
    }
    plan->decode_max_tokens = p4j::decode_crossover(decode_ms, gemm_ms, P4J_DECODE_MAX_TOKENS);
    *max_tokens = plan->decode_max_tokens;
    return P4J_OK;
}

int prune4j_gemm_benchmark(p4j_context* ctx, int32_t arms, p4j_gemm_plan* const* plans, const int32_t* backends,
                           int32_t copies, int64_t tokens, const void* const* xs, void* const* ys, int32_t flags,
                           int32_t warmup_ms, int32_t iterations, float* milliseconds) {
    const char* fn = "gemm_benchmark";
    P4J_CHECK(p4j::enter(ctx));
    if (arms < 1 || arms > 16 || copies < 1 || copies > 1024) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "%s: arms %d (1..16) or copies %d (1..1024) out of range", fn, arms, copies);
    }
    if (iterations < 1 || iterations > 1000000 || warmup_ms < 0 || warmup_ms > 600000) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "%s: iterations %d or warmup_ms %d out of range", fn, iterations, warmup_ms);
    }
    if ((flags & ~P4J_BENCH_FLUSH_L2) != 0) return fail(P4J_ERR_INVALID_ARGUMENT, "%s: unknown flags 0x%x", fn, flags);
    if (plans == nullptr || backends == nullptr || xs == nullptr || ys == nullptr || milliseconds == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "%s: plans, backends, xs, ys or milliseconds is NULL", fn);
    }
    std::vector<Arm> list;
    for (int a = 0; a < arms; a++) {
        for (int c = 0; c < copies; c++) {
            p4j_gemm_plan* p = plans[size_t(a) * copies + c];
            int chosen = -1;
            P4J_CHECK(checked_backend(p, backends[a], tokens, &chosen));
            if (p->ctx != ctx) return fail(P4J_ERR_INVALID_ARGUMENT, "%s: plan %d of arm %d belongs to another context", fn, c, a);
            const p4j_gemm_plan* first = plans[0];
            if (p->in != first->in || p->out != first->out) {
                return fail(P4J_ERR_INVALID_ARGUMENT, "%s: plan %d of arm %d is [%lld, %lld], arm 0 is [%lld, %lld]", fn, c, a,
                            (long long)p->out, (long long)p->in, (long long)first->out, (long long)first->in);
            }
            list.push_back({p, chosen, tuned_tile(p, chosen, tokens)});
        }
    }
    for (int c = 0; c < copies; c++) {
        P4J_CHECK(check_aligned(xs[c], "xs[copy]", fn));
        P4J_CHECK(check_aligned(ys[c], "ys[copy]", fn));
    }
    const bool flush = (flags & P4J_BENCH_FLUSH_L2) != 0;
    return time_arms(ctx, list, copies, tokens, xs, ys, flush, warmup_ms, iterations, milliseconds);
}

int prune4j_device_read_bandwidth(p4j_context* ctx, uint64_t bytes, int32_t iterations, float* milliseconds) {
    if (milliseconds == nullptr || iterations < 1 || iterations > 100000) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "read_bandwidth: milliseconds is NULL or iterations %d not in 1..100000", iterations);
    }
    if (bytes < (uint64_t(1) << 20) || bytes % 4096 != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "read_bandwidth: bytes %llu is not a multiple of 4096 of at least 1 MiB",
                    static_cast<unsigned long long>(bytes));
    }
    P4J_CHECK(p4j::enter(ctx));
    p4j_gemm_shared* s = nullptr;
    P4J_CHECK(timing_buffers(ctx, &s));
    P4J_CHECK(timing_events(ctx, &s));
    void* buffer = nullptr;
    P4J_CHECK(alloc(&buffer, bytes, "cudaMalloc (bandwidth buffer)"));
    cudaStream_t st = ctx->stream;
    int status = p4j::cuda_status(cudaMemsetAsync(buffer, 1, bytes, st), "cudaMemsetAsync (bandwidth buffer)");
    for (int i = 0; status == P4J_OK && i < 3; i++) status = p4j::stream_read(buffer, bytes, s->sink, ctx->sm_count, st);
    for (int i = 0; status == P4J_OK && i < iterations; i++) {
        status = p4j::l2_scrub(s->scrub, s->scrub_bytes, s->sink, ctx->sm_count, st);
        if (status == P4J_OK) status = p4j::cuda_status(cudaEventRecord(s->start, st), "cudaEventRecord");
        if (status == P4J_OK) status = p4j::stream_read(buffer, bytes, s->sink, ctx->sm_count, st);
        if (status == P4J_OK) status = p4j::cuda_status(cudaEventRecord(s->stop, st), "cudaEventRecord");
        if (status == P4J_OK) status = p4j::cuda_status(cudaEventSynchronize(s->stop), "cudaEventSynchronize");
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaEventElapsedTime(&milliseconds[i], s->start, s->stop), "cudaEventElapsedTime");
        }
    }
    const cudaError_t synced = cudaStreamSynchronize(st);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (bandwidth)");
    cudaFree(buffer);
    return status;
}

int prune4j_library_status(int32_t library, int32_t* available, char* message, size_t capacity) {
    if (available == nullptr || message == nullptr || capacity == 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "library_status: available, message or capacity missing");
    }
    *available = 0;
    message[0] = '\0';
    if (library == P4J_LIBRARY_CUBLASLT) {
        p4j::LtLibrary* lib = nullptr;
        if (p4j::lt_library(&lib) == P4J_OK) {
            *available = 1;
            std::snprintf(message, capacity, "%s", p4j::lt_library_path());
        } else {
            std::snprintf(message, capacity, "%s", prune4j_last_error());
        }
        return P4J_OK;
    }
    if (library == P4J_LIBRARY_CUSPARSELT) {
        p4j::CsltLibrary* lib = nullptr;
        *available = p4j::cslt_library(&lib) == P4J_OK ? 1 : 0;
        std::snprintf(message, capacity, "%s", p4j::cslt_library_description().c_str());
        return P4J_OK;
    }
    if (library == P4J_LIBRARY_CUSOLVER) {
        const char* path = nullptr;
        if (p4j::solver_library(&path) == P4J_OK) {
            *available = 1;
            std::snprintf(message, capacity, "%s", path);
        } else {
            std::snprintf(message, capacity, "%s", prune4j_last_error());
        }
        return P4J_OK;
    }
    return fail(P4J_ERR_INVALID_ARGUMENT, "library_status: unknown library %d", library);
}

}  // extern "C"
