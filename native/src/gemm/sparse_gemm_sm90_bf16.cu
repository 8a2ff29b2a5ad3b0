// CUTLASS 3 sparse GEMM, sm_90a, BF16 in and out (sparse_gemm_sm90.cuh).
#include "gemm/sparse_gemm_sm90.cuh"

P4J_SM90_INSTANTIATE(bf16, cutlass::bfloat16_t)
