// cuSPARSELt's C API as prune4j uses it, declared by hand: the library (libcusparseLt.so.0, 234 MB)
// is loaded at run time and its header is not part of the toolchain. Types follow cusparseLt.h of
// nvidia-cusparselt-cu13 0.8.1 with enums as int and the opaque descriptors as 512-byte blocks;
// cusparselt_check.cu compares every prototype and constant below with the real header whenever
// the build finds it (cmake/bootstrap-cuda.sh fetches it into the toolchain cache).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace p4j::cslt {

struct Opaque {
    alignas(16) uint8_t data[512];
};
using Handle = Opaque;
using MatDescr = Opaque;
using MatmulDescr = Opaque;
using AlgSelection = Opaque;
using Plan = Opaque;
using Status = int;  // cusparseStatus_t

constexpr Status STATUS_SUCCESS = 0;         // CUSPARSE_STATUS_SUCCESS (cusparse.h)
constexpr int OPERATION_NON_TRANSPOSE = 0;   // cusparseOperation_t (cusparse.h)
constexpr int OPERATION_TRANSPOSE = 1;
constexpr int ORDER_COL = 1;                 // cusparseOrder_t (cusparse.h)
constexpr int COMPUTE_32F = 2;               // cusparseComputeType
constexpr int SPARSITY_50_PERCENT = 0;       // cusparseLtSparsity_t
constexpr int MATMUL_ALG_DEFAULT = 0;        // cusparseLtMatmulAlg_t
constexpr int MATMUL_BIAS_POINTER = 8;       // cusparseLtMatmulDescAttribute_t
constexpr int MATMUL_ALG_CONFIG_ID = 0;      // cusparseLtMatmulAlgAttribute_t
constexpr int MATMUL_SEARCH_ITERATIONS = 2;
constexpr int R_16F = 2;                     // cudaDataType (library_types.h)
constexpr int R_16BF = 14;

using InitFn = Status (*)(Handle*);
using DestroyFn = Status (*)(const Handle*);
using ErrorStringFn = const char* (*)(Status);
using DenseDescriptorInitFn = Status (*)(const Handle*, MatDescr*, int64_t, int64_t, int64_t, uint32_t, int, int);
using StructuredDescriptorInitFn = Status (*)(const Handle*, MatDescr*, int64_t, int64_t, int64_t, uint32_t, int, int,
                                              int);
using MatDescriptorDestroyFn = Status (*)(const MatDescr*);
using MatmulDescriptorInitFn = Status (*)(const Handle*, MatmulDescr*, int, int, const MatDescr*, const MatDescr*,
                                          const MatDescr*, const MatDescr*, int);
using MatmulDescSetAttributeFn = Status (*)(const Handle*, MatmulDescr*, int, const void*, size_t);
using MatmulAlgSelectionInitFn = Status (*)(const Handle*, AlgSelection*, const MatmulDescr*, int);
using MatmulAlgSelectionDestroyFn = Status (*)(const AlgSelection*);
using MatmulAlgGetAttributeFn = Status (*)(const Handle*, const AlgSelection*, int, void*, size_t);
using MatmulGetWorkspaceFn = Status (*)(const Handle*, const Plan*, size_t*);
using MatmulPlanInitFn = Status (*)(const Handle*, Plan*, const MatmulDescr*, const AlgSelection*);
using MatmulPlanDestroyFn = Status (*)(const Plan*);
using MatmulFn = Status (*)(const Handle*, const Plan*, const void*, const void*, const void*, const void*, const void*,
                            void*, void*, cudaStream_t*, int32_t);
using MatmulSearchFn = Status (*)(const Handle*, Plan*, const void*, const void*, const void*, const void*, const void*,
                                  void*, void*, cudaStream_t*, int32_t);
using SpMMACompressedSize2Fn = Status (*)(const Handle*, const MatDescr*, size_t*, size_t*);
using SpMMACompress2Fn = Status (*)(const Handle*, const MatDescr*, int, int, const void*, void*, void*, cudaStream_t);
using SpMMAPruneCheck2Fn = Status (*)(const Handle*, const MatDescr*, int, int, const void*, int*, cudaStream_t);

}  // namespace p4j::cslt
