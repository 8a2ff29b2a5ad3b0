// The second 2:4 backend: NVIDIA's cuSPARSELt, loaded at run time (dlopen of libcusparseLt.so.0,
// never linked and never downloaded by the build) like cuBLASLt. A missing library makes the
// backend unavailable with a message that says where it was looked for.
#pragma once

#include "p4j_internal.cuh"

#include <string>

namespace p4j {

struct CsltLibrary;  // the loaded library (process-wide)
struct CsltContext;  // a cuSPARSELt handle, bound to one device (one per p4j_context)
struct CsltWeight;   // one compressed weight and its matmul plans per token count

// Loads the library once per process; P4J_ERR_CUDA with every place tried when it is missing.
int cslt_library(CsltLibrary** out);
// Where it was loaded from, or why it could not be ("" before the first attempt).
std::string cslt_library_description();

int cslt_context_create(CsltContext** out);
void cslt_context_destroy(CsltContext* c);

// W [m, k] row-major dense 2:4 (the canonical form decompressed, padded: m, k multiples of 128),
// bias [m] in dtype or NULL (copied). cuSPARSELt's own prune check runs on it first, so a weight
// that is not 2:4 in cuSPARSELt's sense is refused. Synchronises the stream.
int cslt_weight_create(CsltContext* c, int dtype, int64_t m, int64_t k, const void* dense, const void* bias,
                       cudaStream_t stream, CsltWeight** out);
void cslt_weight_destroy(CsltWeight* w);

// y [n, m] row-major = x [n, k] row-major * W^T (+ bias), n a multiple of 16. search: run
// cuSPARSELt's MatmulSearch for this n first (autotuning; it runs the matmul several times).
// workspace: the context's; a larger need is refused with a message.
int cslt_run(CsltWeight* w, int64_t n, const void* x, void* y, void* workspace, size_t workspace_bytes, bool search,
             cudaStream_t stream);

}  // namespace p4j
