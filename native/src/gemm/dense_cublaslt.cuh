// Dense baseline GEMM through cuBLASLt, which is loaded at run time (dlopen): the library is 540 MB
// and never part of the build (ARCHITECTURE.md "Native build").
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

struct LtLibrary;  // the loaded libcublasLt and its handle

// Loads libcublasLt.so.13 once per process from PRUNE4J_CUDA_LIBS, LD_LIBRARY_PATH,
// /usr/local/cuda/lib64, the nvidia/*/lib folders of the usual Python environments, or the
// linker's default path; P4J_ERR_CUDA with every place tried when none has it.
int lt_library(LtLibrary** out);

// Where the library was loaded from ("" when not loaded).
const char* lt_library_path();

// One dense layer Y = X W^T (+ bias): W [out, in] row-major, bias [out] in the same dtype or NULL.
// Keeps one algorithm per token count (heuristic choice, cached).
struct LtPlan;

int lt_plan_create(LtLibrary* lib, int dtype, int64_t out, int64_t in, const void* weight, const void* bias,
                   LtPlan** plan);
void lt_plan_destroy(LtPlan* plan);
// x [tokens, in], y [tokens, out], both device; workspace of workspace_bytes.
int lt_plan_run(LtPlan* plan, int64_t tokens, const void* x, void* y, void* workspace, size_t workspace_bytes,
                cudaStream_t stream);

}  // namespace p4j
