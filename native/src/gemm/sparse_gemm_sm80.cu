// CUTLASS 2 2:4 sparse GEMM for Ampere (sm_80; also runs on Hopper), and the on-device reordering
// of the canonical metadata into the layout its ldmatrix loads expect (CUTLASS's host helper
// tools/util/include/cutlass/util/host_reorder.h reorder_meta, done here on the GPU).
//
// CUTLASS 2's sparse GEMM writes a row-major D only, so it computes Y^T [out, tokens] in F32;
// gemm_plan.cu then transposes it into Y [tokens, out], adding the bias and rounding once.
#include "gemm/sparse_gemm_sm80.h"

#include "gemm/gemm_math.cuh"

#include "cutlass/cutlass.h"
#include "cutlass/epilogue/thread/linear_combination.h"
#include "cutlass/gemm/device/gemm_sparse.h"

namespace {

template <typename Element, typename TileShape, typename WarpShape, int Stages>
using SparseGemm = cutlass::gemm::device::SparseGemm<
    Element, cutlass::layout::RowMajor,      // A = W, 2:4 along K
    Element, cutlass::layout::ColumnMajor,   // B = X^T
    float, cutlass::layout::RowMajor,        // D = Y^T
    float, cutlass::arch::OpClassTensorOp, cutlass::arch::Sm80, TileShape, WarpShape,
    cutlass::gemm::GemmShape<16, 8, 32>,
    cutlass::epilogue::thread::LinearCombination<float, 4, float, float>,
    cutlass::gemm::threadblock::GemmIdentityThreadblockSwizzle<>, Stages>;

template <typename Element>
using Wide = SparseGemm<Element, cutlass::gemm::GemmShape<128, 128, 64>, cutlass::gemm::GemmShape<64, 64, 64>, 3>;
template <typename Element>
using Narrow = SparseGemm<Element, cutlass::gemm::GemmShape<128, 64, 64>, cutlass::gemm::GemmShape<64, 32, 64>, 4>;

static_assert(std::is_same_v<typename Wide<cutlass::half_t>::ElementE, uint16_t>, "16-bit types have uint16 metadata words");
static_assert(Wide<cutlass::bfloat16_t>::kElementsPerElementE == 8, "a metadata word covers 4 groups of 4");
static_assert(std::is_same_v<typename Wide<cutlass::half_t>::LayoutE, cutlass::layout::ColumnMajorInterleaved<2>>,
              "reordered_offset below assumes ColumnMajorInterleaved<2>");

int status_of(cutlass::Status s, const char* what) {
    if (s == cutlass::Status::kSuccess) return P4J_OK;
    return p4j::fail(P4J_ERR_CUDA, "%s: %s", what, cutlassGetStatusString(s));
}

template <typename Gemm>
int run_gemm(const p4j::Sm80Run& r) {
    using Element = typename Gemm::ElementA;
    cutlass::gemm::GemmCoord size(int(r.m), int(r.n), int(r.k));
    typename Gemm::LayoutE layout_e = Gemm::LayoutE::packed({int(r.m), int(r.k / 2 / Gemm::kElementsPerElementE)});
    typename Gemm::Arguments args{
        size,
        {static_cast<const Element*>(r.values), typename Gemm::LayoutA(r.k / 2)},
        {static_cast<const Element*>(r.x), typename Gemm::LayoutB(r.k)},
        {r.out, typename Gemm::LayoutC(r.n)},
        {r.out, typename Gemm::LayoutC(r.n)},
        // CUTLASS takes a non-const E here although it only reads it.
        {const_cast<uint16_t*>(static_cast<const uint16_t*>(r.meta)), layout_e},
        {1.0f, 0.0f},
        1};
    Gemm gemm;
    size_t workspace = Gemm::get_workspace_size(args);
    if (workspace > r.workspace_bytes) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sm80 sparse GEMM needs %zu bytes of workspace", workspace);
    }
    P4J_CHECK(status_of(gemm.can_implement(args), "sm80 sparse GEMM can_implement"));
    P4J_CHECK(status_of(gemm.initialize(args, r.workspace, r.stream), "sm80 sparse GEMM initialize"));
    P4J_CHECK(status_of(gemm(r.stream), "sm80 sparse GEMM run"));
    return P4J_OK;
}

template <typename Element>
int run_dtype(const p4j::Sm80Run& r) {
    return r.tile == p4j::P4J_SM80_TILE_NARROW ? run_gemm<Narrow<Element>>(r) : run_gemm<Wide<Element>>(r);
}

// reordered_offset: gemm_math.cuh's sm80_reordered_offset, which the host test compares with
// CUTLASS's own host reorder_meta.
using p4j::sm80_reordered_offset;

template <bool FORWARD>
__global__ void reorder_kernel(const uint16_t* src, int64_t m, int64_t kw, uint16_t* dst) {
    const uint64_t total = uint64_t(m) * uint64_t(kw);
    const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
    for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
        int64_t row = int64_t(i / uint64_t(kw));
        int64_t col = int64_t(i % uint64_t(kw));
        uint64_t j = sm80_reordered_offset(row, col, m);
        if (FORWARD) {
            dst[j] = src[i];
        } else {
            dst[i] = src[j];
        }
    }
}

template <bool FORWARD>
int reorder(const uint16_t* src, int64_t m, int64_t k, uint16_t* dst, cudaStream_t stream) {
    if (m % 32 != 0 || k % 64 != 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sm80 metadata reorder: [%lld, %lld] not padded to [32, 64]",
                         (long long)m, (long long)k);
    }
    int64_t kw = k / 16;
    uint64_t total = uint64_t(m) * uint64_t(kw);
    unsigned grid = unsigned((total + 255) / 256 < 65535 ? (total + 255) / 256 : 65535);
    reorder_kernel<FORWARD><<<grid, 256, 0, stream>>>(src, m, kw, dst);
    P4J_CUDA(cudaGetLastError(), "sm80 metadata reorder launch");
    return P4J_OK;
}

}  // namespace

namespace p4j {

int sm80_run(const Sm80Run& r) {
    if (r.m % SM80_M_ALIGN != 0 || r.k % SM80_K_ALIGN != 0 || r.n % SM80_N_ALIGN != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sm80 sparse GEMM: [%lld x %lld x %lld] is not padded",
                    (long long)r.m, (long long)r.n, (long long)r.k);
    }
    switch (r.dtype) {
        case P4J_DTYPE_F16: return run_dtype<cutlass::half_t>(r);
        case P4J_DTYPE_BF16: return run_dtype<cutlass::bfloat16_t>(r);
        default: return fail(P4J_ERR_INVALID_ARGUMENT, "sm80 sparse GEMM: dtype code %d is not F16 or BF16", r.dtype);
    }
}

int sm80_reorder_meta(const uint16_t* canonical, int64_t m, int64_t k, uint16_t* reordered, cudaStream_t stream) {
    return reorder<true>(canonical, m, k, reordered, stream);
}

int sm80_unreorder_meta(const uint16_t* reordered, int64_t m, int64_t k, uint16_t* canonical, cudaStream_t stream) {
    return reorder<false>(reordered, m, k, canonical, stream);
}

}  // namespace p4j
