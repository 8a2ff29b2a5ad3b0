// CUTLASS 3 2:4 sparse GEMM for Hopper (sm_90a: warp-specialized, TMA, sparse WGMMA), included by
// sparse_gemm_sm90_f16.cu and sparse_gemm_sm90_bf16.cu, one dtype per translation unit so that two
// cores build them in parallel (GPU-NOTES.md: ~100 s and ~4.5 GB per configuration).
//
// Problem: D[M, N] = A[M, K] * B[K, N] + bias[M] with A = W (out x in, 2:4 along K, row-major),
// B = X^T (column-major, i.e. X [tokens, in] row-major) and D column-major, i.e. Y [tokens, out]
// row-major. M and K are padded by the caller (gemm_plan.cu) to multiples of 128.
#pragma once

#include "gemm/sparse_gemm_sm90.h"

#include "cutlass/cutlass.h"
#include "cute/tensor.hpp"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/operations.hpp"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/dispatch_policy.hpp"
#include "cutlass/gemm/kernel/gemm_universal.hpp"
#include "cutlass/transform/device/transform_universal_adapter.hpp"
#include "cutlass/transform/kernel/sparse_gemm_compressor.hpp"
#include "cutlass/util/packed_stride.hpp"

#include <new>

namespace p4j::sm90 {

using namespace cute;
using ProblemShape = Shape<int, int, int, int>;

// One kernel configuration: tile and cluster shape; everything else follows from the dtype.
template <typename Element, typename TileShape, typename ClusterShape>
struct SparseKernel {
    using LayoutTagA = cutlass::layout::RowMajor;
    using LayoutTagB = cutlass::layout::ColumnMajor;
    using LayoutTagD = cutlass::layout::ColumnMajor;
    static constexpr int Alignment = 128 / cutlass::sizeof_bits<Element>::value;
    // Bias stays F32 and is added to the F32 accumulator; the result is rounded once to Element.
    using FusionOp = cutlass::epilogue::fusion::LinCombPerRowBias<Element, float, float, Element, float>;

    using CollectiveEpilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
        cutlass::arch::Sm90, cutlass::arch::OpClassSparseTensorOp, TileShape, ClusterShape,
        cutlass::epilogue::collective::EpilogueTileAuto, float, float,
        void, LayoutTagD, Alignment,  // no source C
        Element, LayoutTagD, Alignment,
        cutlass::epilogue::TmaWarpSpecializedCooperative, FusionOp>::CollectiveOp;

    using CollectiveMainloop = typename cutlass::gemm::collective::CollectiveBuilder<
        cutlass::arch::Sm90, cutlass::arch::OpClassSparseTensorOp,
        Element, LayoutTagA, Alignment, Element, LayoutTagB, Alignment, float, TileShape, ClusterShape,
        cutlass::gemm::collective::StageCountAutoCarveout<
            static_cast<int>(sizeof(typename CollectiveEpilogue::SharedStorage))>,
        cutlass::gemm::KernelTmaWarpSpecializedCooperative>::CollectiveOp;

    using Kernel = cutlass::gemm::kernel::GemmUniversal<ProblemShape, CollectiveMainloop, CollectiveEpilogue>;
    using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;
    using SparseConfig = typename CollectiveMainloop::SparseConfig;
    using ElementE = typename CollectiveMainloop::ElementE;
};

// The two configurations: a wide tile for many tokens, a narrow one for 17..256 tokens. Both have
// a K tile of 128, so they share one compressed layout (checked below).
template <typename Element>
using WideKernel = SparseKernel<Element, Shape<_128, _128, _128>, Shape<_2, _1, _1>>;
template <typename Element>
using NarrowKernel = SparseKernel<Element, Shape<_128, _64, _128>, Shape<_1, _1, _1>>;

template <typename Element>
struct Compression {
    using Config = typename WideKernel<Element>::SparseConfig;
    static_assert(std::is_same_v<Config, typename NarrowKernel<Element>::SparseConfig>,
                  "both tile configurations must read the same compressed layout");
    using StrideA = cutlass::gemm::TagToStrideA_t<cutlass::layout::RowMajor>;
    using Utility = cutlass::transform::kernel::StructuredSparseCompressorUtility<
        ProblemShape, Element, cutlass::layout::RowMajor, Config>;
    using Kernel = cutlass::transform::kernel::StructuredSparseCompressor<
        ProblemShape, Element, cutlass::layout::RowMajor, Config, cutlass::arch::Sm90>;
    using Compressor = cutlass::transform::device::TransformUniversalAdapter<Kernel>;
};

inline int status_of(cutlass::Status s, const char* what) {
    if (s == cutlass::Status::kSuccess) return P4J_OK;
    return p4j::fail(P4J_ERR_CUDA, "%s: %s", what, cutlassGetStatusString(s));
}

template <typename Element>
int compressed_sizes(int64_t m, int64_t k, Sm90Sizes* sizes) {
    ProblemShape problem{static_cast<int>(m), 1, static_cast<int>(k), 1};
    using C = Compression<Element>;
    auto stride_a = cutlass::make_cute_packed_stride(typename C::StrideA{}, cute::make_shape(int(m), int(k), 1));
    typename C::Utility utility(problem, stride_a);
    sizes->values_bytes = uint64_t(utility.get_tensorA_m_physical()) * utility.get_tensorA_k_physical() * sizeof(Element);
    sizes->meta_bytes = uint64_t(utility.get_metadata_m_physical()) * utility.get_metadata_k_physical() *
                        sizeof(typename WideKernel<Element>::ElementE);
    return P4J_OK;
}

template <typename Element>
int compress(const Sm90Compress& a) {
    using C = Compression<Element>;
    ProblemShape problem{static_cast<int>(a.m), 1, static_cast<int>(a.k), 1};
    auto stride_a = cutlass::make_cute_packed_stride(typename C::StrideA{}, cute::make_shape(int(a.m), int(a.k), 1));
    cutlass::KernelHardwareInfo hw{a.device, a.sm_count};
    typename C::Compressor::Arguments args{
        problem,
        {static_cast<const Element*>(a.dense), stride_a, static_cast<Element*>(a.values), a.meta},
        {hw}};
    typename C::Compressor op;
    size_t workspace = C::Compressor::get_workspace_size(args);
    if (workspace > a.workspace_bytes) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sm90 compressor needs %zu bytes of workspace", workspace);
    }
    P4J_CHECK(status_of(op.can_implement(args), "sm90 compressor can_implement"));
    P4J_CHECK(status_of(op.initialize(args, a.workspace, a.stream), "sm90 compressor initialize"));
    P4J_CHECK(status_of(op.run(a.stream), "sm90 compressor run"));
    return P4J_OK;
}

template <typename K>
typename K::Gemm::Arguments gemm_arguments(const Sm90Run& r) {
    using Config = typename K::SparseConfig;
    ProblemShape problem{static_cast<int>(r.m), static_cast<int>(r.n), static_cast<int>(r.k), 1};
    auto layout_a = Config::fill_layoutA(problem);
    auto layout_e = Config::fill_layoutE(problem);
    using StrideB = typename K::Kernel::StrideB;
    using StrideD = typename K::Kernel::StrideD;
    auto stride_b = cutlass::make_cute_packed_stride(StrideB{}, cute::make_shape(int(r.n), int(r.k), 1));
    auto stride_d = cutlass::make_cute_packed_stride(StrideD{}, cute::make_shape(int(r.m), int(r.n), 1));
    using Element = typename K::CollectiveMainloop::ElementA;
    typename K::Gemm::Arguments args{
        cutlass::gemm::GemmUniversalMode::kGemm,
        problem,
        {static_cast<const Element*>(r.values), layout_a, static_cast<const Element*>(r.x), stride_b,
         static_cast<const typename K::ElementE*>(r.meta), layout_e},
        {{}, nullptr, stride_d, static_cast<Element*>(r.y), stride_d}};
    args.epilogue.thread.alpha = 1.0f;
    args.epilogue.thread.beta = 0.0f;
    args.epilogue.thread.bias_ptr = r.bias;
    args.hw_info = cutlass::KernelHardwareInfo{r.device, r.sm_count};
    return args;
}

// The cached GEMM of one configuration and the arguments it was last set up with.
template <typename K>
struct Cached : Sm90Gemm {
    typename K::Gemm gemm;
    Sm90Run last{};
    static void destroy_fn(Sm90Gemm* g) { delete static_cast<Cached*>(g); }
};

inline bool same_arguments(const Sm90Run& a, const Sm90Run& b) {
    return a.m == b.m && a.n == b.n && a.k == b.k && a.values == b.values && a.meta == b.meta && a.x == b.x &&
           a.bias == b.bias && a.y == b.y && a.workspace == b.workspace;
}

template <typename K>
int run_kernel(const Sm90Run& r, Sm90Gemm** cache) {
    if (*cache != nullptr && (*cache)->tile != r.tile) {
        sm90_gemm_destroy(*cache);
        *cache = nullptr;
    }
    auto args = gemm_arguments<K>(r);
    const size_t workspace = K::Gemm::get_workspace_size(args);
    if (workspace > r.workspace_bytes) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sm90 sparse GEMM needs %zu bytes of workspace", workspace);
    }
    auto* c = static_cast<Cached<K>*>(*cache);
    if (c == nullptr) {
        c = new (std::nothrow) Cached<K>{};
        if (c == nullptr) return p4j::fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory (sm90 GEMM cache)");
        c->destroy = &Cached<K>::destroy_fn;
        c->tile = r.tile;
        int status = status_of(c->gemm.can_implement(args), "sm90 sparse GEMM can_implement");
        if (status == P4J_OK) status = status_of(c->gemm.initialize(args, r.workspace, r.stream), "sm90 sparse GEMM initialize");
        if (status != P4J_OK) {
            delete c;
            return status;
        }
        c->last = r;
        *cache = c;
    } else if (!same_arguments(c->last, r)) {
        P4J_CHECK(status_of(c->gemm.can_implement(args), "sm90 sparse GEMM can_implement"));
        if (workspace > 0) {
            P4J_CHECK(status_of(K::Kernel::initialize_workspace(args, r.workspace, r.stream), "sm90 sparse GEMM workspace"));
        }
        P4J_CHECK(status_of(c->gemm.update(args, r.workspace), "sm90 sparse GEMM update"));
        c->last = r;
    }
    P4J_CHECK(status_of(c->gemm.run(r.stream), "sm90 sparse GEMM run"));
    return P4J_OK;
}

template <typename Element>
int run(const Sm90Run& r, Sm90Gemm** cache) {
    if (r.tile == P4J_TILE_NARROW) {
        return run_kernel<NarrowKernel<Element>>(r, cache);
    }
    return run_kernel<WideKernel<Element>>(r, cache);
}

}  // namespace p4j::sm90

// Defines the three entry points of sparse_gemm_sm90.h for one dtype.
#define P4J_SM90_INSTANTIATE(SUFFIX, ELEMENT)                                                      \
    int p4j::sm90_compressed_sizes_##SUFFIX(int64_t m, int64_t k, Sm90Sizes* sizes) {             \
        return p4j::sm90::compressed_sizes<ELEMENT>(m, k, sizes);                                  \
    }                                                                                              \
    int p4j::sm90_compress_##SUFFIX(const Sm90Compress& a) { return p4j::sm90::compress<ELEMENT>(a); } \
    int p4j::sm90_run_##SUFFIX(const Sm90Run& r, Sm90Gemm** cache) { return p4j::sm90::run<ELEMENT>(r, cache); }
