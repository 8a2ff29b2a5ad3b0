// cuSPARSELt 2:4 backend (sparse_cusparselt.cuh), through the hand-declared API of cusparselt_api.h.
// Y = X W^T is computed column-major throughout: D [m, n] = op_T(A) B with A the weight seen as a
// column-major [k, m] matrix (W row-major, no copy), B = X^T column-major [k, n] (X row-major)
// and D column-major [m, n], which is Y [n, m] row-major.
#include "gemm/sparse_cusparselt.cuh"

#include "gemm/cusparselt_api.h"
#include "cuda_libs.cuh"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <new>

namespace p4j {

namespace c = cslt;

struct CsltLibrary {
    void* so = nullptr;
    std::string path;
    c::InitFn init;
    c::DestroyFn destroy;
    c::ErrorStringFn error_string;
    c::DenseDescriptorInitFn dense_init;
    c::StructuredDescriptorInitFn structured_init;
    c::MatDescriptorDestroyFn mat_destroy;
    c::MatmulDescriptorInitFn matmul_init;
    c::MatmulDescSetAttributeFn matmul_set;
    c::MatmulAlgSelectionInitFn alg_init;
    c::MatmulAlgSelectionDestroyFn alg_destroy;
    c::MatmulGetWorkspaceFn workspace;
    c::MatmulPlanInitFn plan_init;
    c::MatmulPlanDestroyFn plan_destroy;
    c::MatmulFn matmul;
    c::MatmulSearchFn search;
    c::SpMMACompressedSize2Fn compressed_size;
    c::SpMMACompress2Fn compress;
    c::SpMMAPruneCheck2Fn prune_check;
};

struct CsltContext {
    CsltLibrary* lib;
    c::Handle handle;
};

struct CsltWeight {
    CsltContext* ctx;
    int type;
    int64_t m, k;
    c::MatDescr a;
    void* compressed = nullptr;
    void* bias = nullptr;
    struct PerN {
        c::MatDescr b, d;
        c::MatmulDescr mm;
        c::AlgSelection alg;
        c::Plan plan;
        size_t workspace;
        bool searched;
    };
    std::map<int64_t, PerN*> by_n;
};

namespace {

std::mutex lib_mutex;
CsltLibrary* loaded = nullptr;
std::string load_error;  // the first failure, repeated to later callers without a second search

int load(CsltLibrary** out) {
    std::string path, tried;
    void* so = open_cuda_library("libcusparseLt.so.0", {}, &path, &tried);
    if (so == nullptr) {
        load_error = "cuSPARSELt (libcusparseLt.so.0, pip package nvidia-cusparselt-cu13) not found; set "
                     "PRUNE4J_CUDA_LIBS to its folder. Tried:" + tried;
        return fail(P4J_ERR_CUDA, "%s", load_error.c_str());
    }
    CsltLibrary* lib = new (std::nothrow) CsltLibrary{};
    if (lib == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    lib->so = so;
    lib->path = path;
    std::string missing;
    bind_symbol(so, "cusparseLtInit", lib->init, missing);
    bind_symbol(so, "cusparseLtDestroy", lib->destroy, missing);
    bind_symbol(so, "cusparseLtGetErrorString", lib->error_string, missing);
    bind_symbol(so, "cusparseLtDenseDescriptorInit", lib->dense_init, missing);
    bind_symbol(so, "cusparseLtStructuredDescriptorInit", lib->structured_init, missing);
    bind_symbol(so, "cusparseLtMatDescriptorDestroy", lib->mat_destroy, missing);
    bind_symbol(so, "cusparseLtMatmulDescriptorInit", lib->matmul_init, missing);
    bind_symbol(so, "cusparseLtMatmulDescSetAttribute", lib->matmul_set, missing);
    bind_symbol(so, "cusparseLtMatmulAlgSelectionInit", lib->alg_init, missing);
    bind_symbol(so, "cusparseLtMatmulAlgSelectionDestroy", lib->alg_destroy, missing);
    bind_symbol(so, "cusparseLtMatmulGetWorkspace", lib->workspace, missing);
    bind_symbol(so, "cusparseLtMatmulPlanInit", lib->plan_init, missing);
    bind_symbol(so, "cusparseLtMatmulPlanDestroy", lib->plan_destroy, missing);
    bind_symbol(so, "cusparseLtMatmul", lib->matmul, missing);
    bind_symbol(so, "cusparseLtMatmulSearch", lib->search, missing);
    bind_symbol(so, "cusparseLtSpMMACompressedSize2", lib->compressed_size, missing);
    bind_symbol(so, "cusparseLtSpMMACompress2", lib->compress, missing);
    bind_symbol(so, "cusparseLtSpMMAPruneCheck2", lib->prune_check, missing);
    if (!missing.empty()) {
        load_error = path + " lacks:" + missing + " (cuSPARSELt 0.8 or later is needed)";
        dlclose(so);
        delete lib;
        return fail(P4J_ERR_CUDA, "%s", load_error.c_str());
    }
    *out = lib;
    return P4J_OK;
}

int check(const CsltLibrary* lib, c::Status s, const char* what) {
    if (s == c::STATUS_SUCCESS) return P4J_OK;
    return fail(P4J_ERR_CUDA, "%s failed: cuSPARSELt status %d (%s)", what, s, lib->error_string(s));
}

}  // namespace

int cslt_library(CsltLibrary** out) {
    std::lock_guard<std::mutex> lock(lib_mutex);
    if (loaded == nullptr) {
        if (!load_error.empty()) return fail(P4J_ERR_CUDA, "%s", load_error.c_str());
        P4J_CHECK(load(&loaded));
    }
    *out = loaded;
    return P4J_OK;
}

std::string cslt_library_description() {
    std::lock_guard<std::mutex> lock(lib_mutex);
    return loaded != nullptr ? loaded->path : load_error;
}

int cslt_context_create(CsltContext** out) {
    CsltLibrary* lib = nullptr;
    P4J_CHECK(cslt_library(&lib));
    CsltContext* ctx = new (std::nothrow) CsltContext{};
    if (ctx == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    ctx->lib = lib;
    int status = check(lib, lib->init(&ctx->handle), "cusparseLtInit");
    if (status != P4J_OK) {
        delete ctx;
        return status;
    }
    *out = ctx;
    return P4J_OK;
}

void cslt_context_destroy(CsltContext* ctx) {
    if (ctx == nullptr) return;
    ctx->lib->destroy(&ctx->handle);
    delete ctx;
}

namespace {

void destroy_per_n(const CsltLibrary* lib, CsltWeight::PerN* p) {
    lib->plan_destroy(&p->plan);
    lib->alg_destroy(&p->alg);
    lib->mat_destroy(&p->b);
    lib->mat_destroy(&p->d);
    delete p;
}

}  // namespace

void cslt_weight_destroy(CsltWeight* w) {
    if (w == nullptr) return;
    const CsltLibrary* lib = w->ctx->lib;
    for (auto& [n, p] : w->by_n) destroy_per_n(lib, p);
    lib->mat_destroy(&w->a);
    cudaFree(w->compressed);
    cudaFree(w->bias);
    delete w;
}

int cslt_weight_create(CsltContext* ctx, int dtype, int64_t m, int64_t k, const void* dense, const void* bias,
                       cudaStream_t stream, CsltWeight** out) {
    const CsltLibrary* lib = ctx->lib;
    CsltWeight* w = new (std::nothrow) CsltWeight{};
    if (w == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    w->ctx = ctx;
    w->type = dtype == P4J_DTYPE_F16 ? c::R_16F : c::R_16BF;
    w->m = m;
    w->k = k;
    // A: column-major [k, m], leading dimension k, used transposed.
    int status = check(lib, lib->structured_init(&ctx->handle, &w->a, k, m, k, 16, w->type, c::ORDER_COL,
                                                 c::SPARSITY_50_PERCENT), "cusparseLtStructuredDescriptorInit");
    if (status != P4J_OK) {
        delete w;
        return status;
    }
    int* valid = nullptr;
    void* buffer = nullptr;
    size_t compressed_bytes = 0, buffer_bytes = 0;
    status = p4j::cuda_status(cudaMalloc(&valid, sizeof(int)), "cudaMalloc (cuSPARSELt prune check)");
    if (status == P4J_OK) {
        status = check(lib, lib->prune_check(&ctx->handle, &w->a, 1, c::OPERATION_TRANSPOSE, dense, valid, stream),
                       "cusparseLtSpMMAPruneCheck2");
    }
    int host_valid = -1;
    if (status == P4J_OK) {
        status = p4j::cuda_status(cudaMemcpyAsync(&host_valid, valid, sizeof(int), cudaMemcpyDeviceToHost, stream),
                                      "cudaMemcpyAsync (cuSPARSELt prune check)");
    }
    if (status == P4J_OK) status = p4j::cuda_status(cudaStreamSynchronize(stream), "cudaStreamSynchronize (prune check)");
    if (status == P4J_OK && host_valid != 0) {
        status = fail(P4J_ERR_INVALID_ARGUMENT, "cuSPARSELt's prune check rejects the [%lld, %lld] weight as 2:4 (%d)",
                      (long long)m, (long long)k, host_valid);
    }
    if (status == P4J_OK) {
        status = check(lib, lib->compressed_size(&ctx->handle, &w->a, &compressed_bytes, &buffer_bytes),
                       "cusparseLtSpMMACompressedSize2");
    }
    if (status == P4J_OK) status = p4j::cuda_status(cudaMalloc(&w->compressed, compressed_bytes), "cudaMalloc (cuSPARSELt weight)");
    if (status == P4J_OK && buffer_bytes > 0) {
        status = p4j::cuda_status(cudaMalloc(&buffer, buffer_bytes), "cudaMalloc (cuSPARSELt compress buffer)");
    }
    if (status == P4J_OK) {
        status = check(lib, lib->compress(&ctx->handle, &w->a, 1, c::OPERATION_TRANSPOSE, dense, w->compressed, buffer, stream),
                       "cusparseLtSpMMACompress2");
    }
    if (status == P4J_OK && bias != nullptr) {
        status = p4j::cuda_status(cudaMalloc(&w->bias, size_t(m) * 2), "cudaMalloc (cuSPARSELt bias)");
        if (status == P4J_OK) {
            status = p4j::cuda_status(cudaMemcpyAsync(w->bias, bias, size_t(m) * 2, cudaMemcpyDeviceToDevice, stream),
                                          "cudaMemcpyAsync (cuSPARSELt bias)");
        }
    }
    const cudaError_t synced = cudaStreamSynchronize(stream);
    if (status == P4J_OK) status = p4j::cuda_status(synced, "cudaStreamSynchronize (cuSPARSELt compress)");
    cudaFree(valid);
    cudaFree(buffer);
    if (status != P4J_OK) {
        cslt_weight_destroy(w);
        return status;
    }
    *out = w;
    return P4J_OK;
}

namespace {

int per_n(CsltWeight* w, int64_t n, CsltWeight::PerN** out) {
    auto it = w->by_n.find(n);
    if (it != w->by_n.end()) {
        *out = it->second;
        return P4J_OK;
    }
    const CsltLibrary* lib = w->ctx->lib;
    const c::Handle* h = &w->ctx->handle;
    auto* p = new (std::nothrow) CsltWeight::PerN{};
    if (p == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    int stage = 0;  // how much of p is initialised, for the clean-up
    int status = check(lib, lib->dense_init(h, &p->b, w->k, n, w->k, 16, w->type, c::ORDER_COL), "cusparseLtDenseDescriptorInit (B)");
    if (status == P4J_OK) {
        stage = 1;
        status = check(lib, lib->dense_init(h, &p->d, w->m, n, w->m, 16, w->type, c::ORDER_COL), "cusparseLtDenseDescriptorInit (D)");
    }
    if (status == P4J_OK) {
        stage = 2;
        status = check(lib, lib->matmul_init(h, &p->mm, c::OPERATION_TRANSPOSE, c::OPERATION_NON_TRANSPOSE, &w->a, &p->b,
                                             &p->d, &p->d, c::COMPUTE_32F), "cusparseLtMatmulDescriptorInit");
    }
    if (status == P4J_OK && w->bias != nullptr) {
        status = check(lib, lib->matmul_set(h, &p->mm, c::MATMUL_BIAS_POINTER, &w->bias, sizeof w->bias), "set BIAS_POINTER");
    }
    if (status == P4J_OK) status = check(lib, lib->alg_init(h, &p->alg, &p->mm, c::MATMUL_ALG_DEFAULT), "cusparseLtMatmulAlgSelectionInit");
    if (status == P4J_OK) {
        stage = 3;
        status = check(lib, lib->plan_init(h, &p->plan, &p->mm, &p->alg), "cusparseLtMatmulPlanInit");
    }
    if (status == P4J_OK) {
        stage = 4;
        status = check(lib, lib->workspace(h, &p->plan, &p->workspace), "cusparseLtMatmulGetWorkspace");
    }
    if (status != P4J_OK) {
        if (stage >= 4) lib->plan_destroy(&p->plan);
        if (stage >= 3) lib->alg_destroy(&p->alg);
        if (stage >= 2) lib->mat_destroy(&p->d);
        if (stage >= 1) lib->mat_destroy(&p->b);
        delete p;
        return status;
    }
    w->by_n.emplace(n, p);
    *out = p;
    return P4J_OK;
}

}  // namespace

int cslt_run(CsltWeight* w, int64_t n, const void* x, void* y, void* workspace, size_t workspace_bytes, bool search,
             cudaStream_t stream) {
    if (n % 16 != 0) return fail(P4J_ERR_INVALID_ARGUMENT, "cuSPARSELt run: %lld tokens is not padded to 16", (long long)n);
    CsltWeight::PerN* p = nullptr;
    P4J_CHECK(per_n(w, n, &p));
    const CsltLibrary* lib = w->ctx->lib;
    const c::Handle* h = &w->ctx->handle;
    if (p->workspace > workspace_bytes) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "cuSPARSELt needs %zu bytes of workspace, the context has %zu", p->workspace,
                    workspace_bytes);
    }
    const float alpha = 1.0f, beta = 0.0f;
    cudaStream_t streams[1] = {stream};
    if (search && !p->searched) {
        // MatmulSearch times the candidate kernels itself and keeps the fastest in the plan.
        P4J_CHECK(check(lib, lib->search(h, &p->plan, &alpha, w->compressed, x, &beta, y, y, workspace, streams, 1),
                        "cusparseLtMatmulSearch"));
        P4J_CHECK(check(lib, lib->workspace(h, &p->plan, &p->workspace), "cusparseLtMatmulGetWorkspace"));
        p->searched = true;
        if (p->workspace > workspace_bytes) {
            return fail(P4J_ERR_INVALID_ARGUMENT, "cuSPARSELt's searched kernel needs %zu bytes of workspace, the context has %zu",
                        p->workspace, workspace_bytes);
        }
    }
    return check(lib, lib->matmul(h, &p->plan, &alpha, w->compressed, x, &beta, y, y, workspace, streams, 1),
                 "cusparseLtMatmul");
}

}  // namespace p4j
