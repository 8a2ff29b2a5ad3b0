// cuBLASLt dense GEMM, loaded with dlopen; the prototypes and constants are in cublaslt_api.cuh
// (declared by hand because the headers are not part of our toolchain wheels), the search path in
// cuda_libs.cu.
#include "gemm/dense_cublaslt.cuh"
#include "cublaslt_api.cuh"
#include "cuda_libs.cuh"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace p4j {

namespace {

std::mutex lt_mutex;
LtLibrary* lt_loaded = nullptr;
std::string lt_error;

int load(LtLibrary** out) {
    std::string tried;
    std::string path;
    void* so = open_cuda_library("libcublasLt.so.13", {}, &path, &tried);
    if (so == nullptr) {
        return fail(P4J_ERR_CUDA, "cuBLASLt (libcublasLt.so.13) not found; set PRUNE4J_CUDA_LIBS to its folder. Tried:%s",
                    tried.c_str());
    }
    LtLibrary* lib = new (std::nothrow) LtLibrary{};
    if (lib == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    lib->so = so;
    lib->path = path;
    std::string missing;
    bind_symbol(so, "cublasLtCreate", lib->create, missing);
    bind_symbol(so, "cublasLtMatmulDescCreate", lib->desc_create, missing);
    bind_symbol(so, "cublasLtMatmulDescDestroy", lib->desc_destroy, missing);
    bind_symbol(so, "cublasLtMatmulDescSetAttribute", lib->desc_set, missing);
    bind_symbol(so, "cublasLtMatrixLayoutCreate", lib->layout_create, missing);
    bind_symbol(so, "cublasLtMatrixLayoutDestroy", lib->layout_destroy, missing);
    bind_symbol(so, "cublasLtMatmulPreferenceCreate", lib->pref_create, missing);
    bind_symbol(so, "cublasLtMatmulPreferenceDestroy", lib->pref_destroy, missing);
    bind_symbol(so, "cublasLtMatmulPreferenceSetAttribute", lib->pref_set, missing);
    bind_symbol(so, "cublasLtMatmulAlgoGetHeuristic", lib->heuristic, missing);
    bind_symbol(so, "cublasLtMatmul", lib->matmul, missing);
    if (!missing.empty()) {
        int status = fail(P4J_ERR_CUDA, "%s lacks:%s", path.c_str(), missing.c_str());
        dlclose(so);
        delete lib;
        return status;
    }
    cublasStatus_t s = lib->create(&lib->handle);
    if (s != 0) {
        dlclose(so);
        delete lib;
        return fail(P4J_ERR_CUDA, "cublasLtCreate failed with status %d", s);
    }
    *out = lib;
    return P4J_OK;
}

}  // namespace

// The library stays loaded for the life of the process (cuBLASLt's handle is bound to no stream).
int lt_library(LtLibrary** out) {
    std::lock_guard<std::mutex> lock(lt_mutex);
    if (lt_loaded == nullptr) {
        P4J_CHECK(load(&lt_loaded));
    }
    *out = lt_loaded;
    return P4J_OK;
}

const char* lt_library_path() {
    std::lock_guard<std::mutex> lock(lt_mutex);
    return lt_loaded != nullptr ? lt_loaded->path.c_str() : "";
}

struct LtPlan {
    LtLibrary* lib;
    int dtype;
    int64_t out, in;
    const void* weight;
    const void* bias;
    LtDesc desc = nullptr;
    LtLayout a = nullptr;
    struct PerTokens {
        LtLayout b, d;
        LtAlgo algo;
    };
    std::map<int64_t, PerTokens> by_tokens;
};

int lt_plan_create(LtLibrary* lib, int dtype, int64_t out, int64_t in, const void* weight, const void* bias,
                   LtPlan** result) {
    int type = dtype == P4J_DTYPE_F16 ? LT_R_16F : dtype == P4J_DTYPE_BF16 ? LT_R_16BF : -1;
    if (type < 0) return fail(P4J_ERR_INVALID_ARGUMENT, "cuBLASLt plan: dtype code %d is not F16 or BF16", dtype);
    LtPlan* p = new (std::nothrow) LtPlan{};
    if (p == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    p->lib = lib;
    p->dtype = dtype;
    p->out = out;
    p->in = in;
    p->weight = weight;
    p->bias = bias;
    // Y^T [out, tokens] (column-major) = op_T(W as column-major [in, out]) * X^T (column-major [in, tokens]).
    int status = lt_check(lib->desc_create(&p->desc, CUBLAS_COMPUTE_32F, LT_R_32F), "cublasLtMatmulDescCreate");
    if (status == P4J_OK) status = lt_check(lib->desc_set(p->desc, DESC_TRANSA, &OP_T, sizeof OP_T), "set TRANSA");
    if (status == P4J_OK) status = lt_check(lib->desc_set(p->desc, DESC_TRANSB, &OP_N, sizeof OP_N), "set TRANSB");
    uint32_t epilogue = bias != nullptr ? EPILOGUE_BIAS : EPILOGUE_DEFAULT;
    if (status == P4J_OK) status = lt_check(lib->desc_set(p->desc, DESC_EPILOGUE, &epilogue, sizeof epilogue), "set EPILOGUE");
    if (status == P4J_OK && bias != nullptr) {
        status = lt_check(lib->desc_set(p->desc, DESC_BIAS_POINTER, &bias, sizeof bias), "set BIAS_POINTER");
    }
    if (status == P4J_OK) status = lt_check(lib->layout_create(&p->a, type, uint64_t(in), uint64_t(out), in), "layout A");
    if (status != P4J_OK) {
        lt_plan_destroy(p);
        return status;
    }
    *result = p;
    return P4J_OK;
}

void lt_plan_destroy(LtPlan* p) {
    if (p == nullptr) return;
    for (auto& [n, t] : p->by_tokens) {
        p->lib->layout_destroy(t.b);
        p->lib->layout_destroy(t.d);
    }
    if (p->a != nullptr) p->lib->layout_destroy(p->a);
    if (p->desc != nullptr) p->lib->desc_destroy(p->desc);
    delete p;
}

int lt_plan_run(LtPlan* p, int64_t tokens, const void* x, void* y, void* workspace, size_t workspace_bytes,
                cudaStream_t stream) {
    LtLibrary* lib = p->lib;
    auto it = p->by_tokens.find(tokens);
    if (it == p->by_tokens.end()) {
        int type = p->dtype == P4J_DTYPE_F16 ? LT_R_16F : LT_R_16BF;
        LtPlan::PerTokens t{};
        P4J_CHECK(lt_check(lib->layout_create(&t.b, type, uint64_t(p->in), uint64_t(tokens), p->in), "layout B"));
        int status = lt_check(lib->layout_create(&t.d, type, uint64_t(p->out), uint64_t(tokens), p->out), "layout D");
        LtPref pref = nullptr;
        if (status == P4J_OK) status = lt_check(lib->pref_create(&pref), "cublasLtMatmulPreferenceCreate");
        uint64_t ws = workspace_bytes;
        if (status == P4J_OK) status = lt_check(lib->pref_set(pref, PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws), "set workspace");
        // prune4j promises 16-byte aligned x and y (gemm_plan.cu checks), not cuBLASLt's default 256,
        // so the heuristic must not pick kernels that need more.
        const uint32_t alignment = 16;
        for (int a : {PREF_MIN_ALIGNMENT_A_BYTES, PREF_MIN_ALIGNMENT_B_BYTES, PREF_MIN_ALIGNMENT_C_BYTES,
                      PREF_MIN_ALIGNMENT_D_BYTES}) {
            if (status == P4J_OK) status = lt_check(lib->pref_set(pref, a, &alignment, sizeof alignment), "set minimum alignment");
        }
        LtHeuristic h{};
        int found = 0;
        if (status == P4J_OK) {
            status = lt_check(lib->heuristic(lib->handle, p->desc, p->a, t.b, t.d, t.d, pref, 1, &h, &found),
                              "cublasLtMatmulAlgoGetHeuristic");
        }
        if (status == P4J_OK && found == 0) {
            status = fail(P4J_ERR_CUDA, "cuBLASLt has no algorithm for [%lld x %lld] x %lld tokens", (long long)p->out,
                          (long long)p->in, (long long)tokens);
        }
        if (pref != nullptr) lib->pref_destroy(pref);
        if (status != P4J_OK) {
            if (t.b != nullptr) lib->layout_destroy(t.b);
            if (t.d != nullptr) lib->layout_destroy(t.d);
            return status;
        }
        t.algo = h.algo;
        it = p->by_tokens.emplace(tokens, t).first;
    }
    const float alpha = 1.0f, beta = 0.0f;
    return lt_check(lib->matmul(lib->handle, p->desc, &alpha, p->weight, p->a, x, it->second.b, &beta, y, it->second.d,
                                y, it->second.d, &it->second.algo, workspace, workspace_bytes, stream),
                    "cublasLtMatmul");
}

}  // namespace p4j
