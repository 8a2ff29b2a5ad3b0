// Compile-time check of cusparselt_api.h against the real cusparseLt.h (built only when CMake finds
// the header; no code, no symbols). Enums compare as int, pointers to the opaque structs as
// pointers to void of the same constness; everything else must match exactly.
#include "gemm/cusparselt_api.h"

#include <cusparseLt.h>

#include <type_traits>

namespace {

template <class T>
struct Norm {
    using type = std::conditional_t<std::is_enum_v<T>, int, T>;
};
template <class T>
struct Norm<T*> {
    using type = std::conditional_t<std::is_class_v<T>, std::conditional_t<std::is_const_v<T>, const void*, void*>,
                                    typename Norm<T>::type*>;
};
template <class R, class... A>
struct Norm<R (*)(A...)> {
    using type = typename Norm<R>::type (*)(typename Norm<A>::type...);
};
template <class Real, class Ours>
constexpr bool same = std::is_same_v<typename Norm<Real>::type, typename Norm<Ours>::type>;

namespace c = p4j::cslt;

#define P4J_CHECK_FN(name, ours) static_assert(same<decltype(&name), c::ours>, #name " differs from cusparselt_api.h")
P4J_CHECK_FN(cusparseLtInit, InitFn);
P4J_CHECK_FN(cusparseLtDestroy, DestroyFn);
P4J_CHECK_FN(cusparseLtGetErrorString, ErrorStringFn);
P4J_CHECK_FN(cusparseLtDenseDescriptorInit, DenseDescriptorInitFn);
P4J_CHECK_FN(cusparseLtStructuredDescriptorInit, StructuredDescriptorInitFn);
P4J_CHECK_FN(cusparseLtMatDescriptorDestroy, MatDescriptorDestroyFn);
P4J_CHECK_FN(cusparseLtMatmulDescriptorInit, MatmulDescriptorInitFn);
P4J_CHECK_FN(cusparseLtMatmulDescSetAttribute, MatmulDescSetAttributeFn);
P4J_CHECK_FN(cusparseLtMatmulAlgSelectionInit, MatmulAlgSelectionInitFn);
P4J_CHECK_FN(cusparseLtMatmulAlgSelectionDestroy, MatmulAlgSelectionDestroyFn);
P4J_CHECK_FN(cusparseLtMatmulAlgGetAttribute, MatmulAlgGetAttributeFn);
P4J_CHECK_FN(cusparseLtMatmulGetWorkspace, MatmulGetWorkspaceFn);
P4J_CHECK_FN(cusparseLtMatmulPlanInit, MatmulPlanInitFn);
P4J_CHECK_FN(cusparseLtMatmulPlanDestroy, MatmulPlanDestroyFn);
P4J_CHECK_FN(cusparseLtMatmul, MatmulFn);
P4J_CHECK_FN(cusparseLtMatmulSearch, MatmulSearchFn);
P4J_CHECK_FN(cusparseLtSpMMACompressedSize2, SpMMACompressedSize2Fn);
P4J_CHECK_FN(cusparseLtSpMMACompress2, SpMMACompress2Fn);
P4J_CHECK_FN(cusparseLtSpMMAPruneCheck2, SpMMAPruneCheck2Fn);
#undef P4J_CHECK_FN

template <class T>
constexpr bool opaque = sizeof(T) == sizeof(c::Opaque) && alignof(T) == alignof(c::Opaque);
static_assert(opaque<cusparseLtHandle_t> && opaque<cusparseLtMatDescriptor_t> && opaque<cusparseLtMatmulDescriptor_t> &&
                  opaque<cusparseLtMatmulAlgSelection_t> && opaque<cusparseLtMatmulPlan_t>,
              "cuSPARSELt's opaque structs are 512 bytes, 16-aligned");
static_assert(sizeof(cusparseStatus_t) == sizeof(int) && sizeof(cudaDataType) == sizeof(int), "enums are int-sized");
static_assert(CUSPARSE_COMPUTE_32F == c::COMPUTE_32F && CUSPARSELT_SPARSITY_50_PERCENT == c::SPARSITY_50_PERCENT &&
                  CUSPARSELT_MATMUL_ALG_DEFAULT == c::MATMUL_ALG_DEFAULT &&
                  CUSPARSELT_MATMUL_BIAS_POINTER == c::MATMUL_BIAS_POINTER &&
                  CUSPARSELT_MATMUL_ALG_CONFIG_ID == c::MATMUL_ALG_CONFIG_ID &&
                  CUSPARSELT_MATMUL_SEARCH_ITERATIONS == c::MATMUL_SEARCH_ITERATIONS,
              "cuSPARSELt constants differ from cusparselt_api.h");
static_assert(CUDA_R_16F == c::R_16F && CUDA_R_16BF == c::R_16BF, "cudaDataType codes differ");
static_assert(CUSPARSELT_VER_MAJOR == 0 && CUSPARSELT_VER_MINOR == 8, "checked against cuSPARSELt 0.8");

}  // namespace
