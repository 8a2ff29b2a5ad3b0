// Strided cuBLASLt products (lt_matmul.cuh) on the library loaded by gemm/dense_cublaslt.cu.
#include "lt_matmul.cuh"

#include "cublaslt_api.cuh"
#include "gemm/dense_cublaslt.cuh"
#include "linalg_shared.cuh"

#include <map>
#include <mutex>
#include <tuple>

namespace p4j {

namespace {

// Largest power of two dividing the address, at most 256 (cuBLASLt's default assumption).
uint32_t alignment_of(const void* p) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    uint32_t al = 256;
    while (al > 1 && (a % al) != 0) al >>= 1;
    return al;
}

using Key = std::tuple<int, int, bool, bool, uint64_t, uint64_t, uint64_t, int64_t, int64_t, int64_t, uint32_t, uint32_t,
                       uint32_t>;
struct Choice {
    LtAlgo algo;
};
std::mutex cache_mutex;
std::map<Key, Choice> cache;

// Frees cuBLASLt descriptors on every way out.
struct LtObjects {
    LtLibrary* lib;
    LtDesc desc = nullptr;
    LtLayout a = nullptr, b = nullptr, c = nullptr;
    LtPref pref = nullptr;
    explicit LtObjects(LtLibrary* l) : lib(l) {}
    ~LtObjects() {
        if (pref != nullptr) lib->pref_destroy(pref);
        if (c != nullptr) lib->layout_destroy(c);
        if (b != nullptr) lib->layout_destroy(b);
        if (a != nullptr) lib->layout_destroy(a);
        if (desc != nullptr) lib->desc_destroy(desc);
    }
};

}  // namespace

int lt_type_of(int32_t dtype) {
    return dtype == P4J_DTYPE_F16 ? LT_R_16F : dtype == P4J_DTYPE_BF16 ? LT_R_16BF : LT_R_32F;
}

int lt_matmul(p4j_context* ctx, const LtMatmul& g, float alpha, const void* a, const void* b, float beta, float* c,
              const char* what) {
    if (g.m == 0 || g.n == 0) return P4J_OK;
    if (g.k == 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "%s: empty inner dimension", what);
    }
    LtLibrary* lib = nullptr;
    P4J_CHECK(lt_library(&lib));
    void* workspace = nullptr;
    size_t workspace_bytes = 0;
    P4J_CHECK(lt_workspace(ctx, &workspace, &workspace_bytes));
    LtObjects o(lib);
    const int32_t ta = g.trans_a ? OP_T : OP_N;
    const int32_t tb = g.trans_b ? OP_T : OP_N;
    P4J_CHECK(lt_check(lib->desc_create(&o.desc, CUBLAS_COMPUTE_32F, LT_R_32F), "cublasLtMatmulDescCreate"));
    P4J_CHECK(lt_check(lib->desc_set(o.desc, DESC_TRANSA, &ta, sizeof ta), "set TRANSA"));
    P4J_CHECK(lt_check(lib->desc_set(o.desc, DESC_TRANSB, &tb, sizeof tb), "set TRANSB"));
    // Layouts describe the stored matrices, before op().
    P4J_CHECK(lt_check(lib->layout_create(&o.a, g.type_ab, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k, g.lda),
                       "layout A"));
    P4J_CHECK(lt_check(lib->layout_create(&o.b, g.type_ab, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n, g.ldb),
                       "layout B"));
    P4J_CHECK(lt_check(lib->layout_create(&o.c, LT_R_32F, g.m, g.n, g.ldc), "layout C"));
    const uint32_t al_a = alignment_of(a), al_b = alignment_of(b), al_c = alignment_of(c);
    const Key key{ctx->device, g.type_ab, g.trans_a, g.trans_b, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, al_a, al_b, al_c};
    LtAlgo algo{};
    bool cached = false;
    {
        std::lock_guard<std::mutex> lock(cache_mutex);
        auto it = cache.find(key);
        if (it != cache.end()) {
            algo = it->second.algo;
            cached = true;
        }
    }
    if (!cached) {
        P4J_CHECK(lt_check(lib->pref_create(&o.pref), "cublasLtMatmulPreferenceCreate"));
        const uint64_t ws = workspace_bytes;
        P4J_CHECK(lt_check(lib->pref_set(o.pref, PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws), "set workspace"));
        P4J_CHECK(lt_check(lib->pref_set(o.pref, PREF_MIN_ALIGNMENT_A_BYTES, &al_a, sizeof al_a), "set alignment A"));
        P4J_CHECK(lt_check(lib->pref_set(o.pref, PREF_MIN_ALIGNMENT_B_BYTES, &al_b, sizeof al_b), "set alignment B"));
        P4J_CHECK(lt_check(lib->pref_set(o.pref, PREF_MIN_ALIGNMENT_C_BYTES, &al_c, sizeof al_c), "set alignment C"));
        P4J_CHECK(lt_check(lib->pref_set(o.pref, PREF_MIN_ALIGNMENT_D_BYTES, &al_c, sizeof al_c), "set alignment D"));
        LtHeuristic h{};
        int found = 0;
        P4J_CHECK(lt_check(lib->heuristic(lib->handle, o.desc, o.a, o.b, o.c, o.c, o.pref, 1, &h, &found),
                           "cublasLtMatmulAlgoGetHeuristic"));
        if (found == 0) {
            return fail(P4J_ERR_CUDA, "%s: cuBLASLt has no algorithm for m=%llu n=%llu k=%llu (alignments %u/%u/%u)", what,
                        (unsigned long long)g.m, (unsigned long long)g.n, (unsigned long long)g.k, al_a, al_b, al_c);
        }
        algo = h.algo;
        std::lock_guard<std::mutex> lock(cache_mutex);
        cache.emplace(key, Choice{algo});
    }
    P4J_CHECK(lt_check(lib->matmul(lib->handle, o.desc, &alpha, a, o.a, b, o.b, &beta, c, o.c, c, o.c, &algo, workspace,
                                   workspace_bytes, ctx->stream),
                       what));
    return P4J_OK;
}

}  // namespace p4j
