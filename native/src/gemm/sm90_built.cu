// Whether the sm_90a sparse kernels were compiled in (CMake defines P4J_SM90 when 90a is among the
// architectures); kept apart so that gemm_plan.cu does not depend on the architecture list.
#include "gemm/sparse_gemm_sm90.h"

bool p4j::sm90_built() {
#ifdef P4J_SM90
    return true;
#else
    return false;
#endif
}

#ifndef P4J_SM90
// Built without 90a: the entry points exist (gemm_plan.cu links against them) and refuse.
namespace {
int not_built() { return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "this libprune4j was built without sm_90a kernels"); }
}  // namespace
int p4j::sm90_compressed_sizes_f16(int64_t, int64_t, Sm90Sizes*) { return not_built(); }
int p4j::sm90_compress_f16(const Sm90Compress&) { return not_built(); }
int p4j::sm90_run_f16(const Sm90Run&, Sm90Gemm**) { return not_built(); }
int p4j::sm90_compressed_sizes_bf16(int64_t, int64_t, Sm90Sizes*) { return not_built(); }
int p4j::sm90_compress_bf16(const Sm90Compress&) { return not_built(); }
int p4j::sm90_run_bf16(const Sm90Run&, Sm90Gemm**) { return not_built(); }
#endif
