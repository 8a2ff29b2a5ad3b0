// CUTLASS 3 sparse GEMM, sm_90a, F16 in and out (sparse_gemm_sm90.cuh).
#include "gemm/sparse_gemm_sm90.cuh"

P4J_SM90_INSTANTIATE(f16, cutlass::half_t)
