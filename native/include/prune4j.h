/*
 * prune4j native ABI: the only header the Java bindings (module prune4j-bindings) bind.
 *
 * Rules (ARCHITECTURE.md "The C ABI"):
 *  - plain C; every function returns an int status, P4J_OK (0) on success, except
 *    prune4j_last_error, which returns the message of the last failure on the calling thread;
 *  - handles are opaque pointers created and destroyed explicitly;
 *  - "device" pointers point into GPU memory allocated with prune4j_malloc and must never be
 *    dereferenced on the host; "host" pointers point into ordinary (pageable) host memory;
 *  - masks are packed 64-bit words, bit i of word w = weight 64*w + i, 1 = kept, exactly the
 *    words of dev.prune4j.mask.Mask; bits past the last weight are zero;
 *  - the magnitude key of an element is |w| as an unsigned integer in a key space, as in
 *    dev.prune4j.mask.KeySpace; ties among equal keys are broken by the lower flat index.
 *
 * Functions that report a NaN return P4J_ERR_NAN and store the lowest flat index of a NaN among
 * the elements they had to look at in *nan_index (-1 when none); every other outcome stores -1.
 *
 * The bindings test parses this file: keep one declaration per line group, parameters written as
 * "type name", and only the types int32_t, uint32_t, int64_t, uint64_t, size_t, int, float, double
 * and pointers.
 */
#ifndef PRUNE4J_H
#define PRUNE4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change; the Java side refuses a library of another version. */
#define PRUNE4J_ABI_VERSION 5

/* Status codes. */
#define P4J_OK 0
#define P4J_ERR_INVALID_ARGUMENT 1
#define P4J_ERR_CUDA 2
#define P4J_ERR_OUT_OF_MEMORY 3
#define P4J_ERR_NAN 4
#define P4J_ERR_NO_DRIVER 5
#define P4J_ERR_NO_DEVICE 6
/* A NaN or infinity in an input or a result (calibration kernels; see their out-parameters). */
#define P4J_ERR_NOT_FINITE 7
/* A Cholesky factorisation met a leading minor that is not positive definite: retry with more damping. */
#define P4J_ERR_NOT_POSITIVE_DEFINITE 8

/* Element types (dev.prune4j.tensor.DType F32, F16, BF16). */
#define P4J_DTYPE_F32 0
#define P4J_DTYPE_F16 1
#define P4J_DTYPE_BF16 2

/* Key spaces (dev.prune4j.mask.KeySpace). F16_BITS and BF16_BITS: the 15 low bits of the raw
 * element; F32_BITS: the 31 low bits of the value widened to F32. */
#define P4J_KEYS_F16_BITS 0
#define P4J_KEYS_BF16_BITS 1
#define P4J_KEYS_F32_BITS 2

/*
 * A CUDA device and the stream every call on it runs on.
 * Thread safety: a context and everything made from it (its GEMM plans, its device buffers) are
 * not thread-safe; the caller holds one lock per context around every call that takes the context
 * or one of its plans (the Java side: one lock object per CudaContext, used by the engine and the
 * plans alike). Different contexts may be used from different threads at the same time.
 */
typedef struct p4j_context p4j_context;

/* ---- library and errors ---- */

/* The message of the last failed call on this thread ("" when none). Valid until the next call. */
const char* prune4j_last_error(void);

/* Stores PRUNE4J_ABI_VERSION of the built library. */
int prune4j_abi_version(int32_t* version);

/* Number of CUDA devices. P4J_ERR_NO_DRIVER when no usable driver is installed. */
int prune4j_device_count(int32_t* count);

/* ---- contexts ---- */

int prune4j_context_create(int32_t device, p4j_context** out);

/*
 * Frees the context's stream and scratch memory; NULL is allowed. Lifetime: destroying a context
 * first destroys every GEMM plan still made from it (their device memory is freed at once); such a
 * plan's handle stays valid but inert: every call on it fails with P4J_ERR_INVALID_ARGUMENT except
 * prune4j_gemm_plan_destroy, which then only frees the handle. Device buffers from prune4j_malloc
 * are not tracked: free them before their context. Waits for the context's stream first.
 */
int prune4j_context_destroy(p4j_context* ctx);

/* Copies the device name, NUL-terminated and truncated to capacity bytes. */
int prune4j_device_name(p4j_context* ctx, char* buffer, size_t capacity);

int prune4j_device_capability(p4j_context* ctx, int32_t* major, int32_t* minor);

int prune4j_device_memory(p4j_context* ctx, uint64_t* free_bytes, uint64_t* total_bytes);

/* ---- device memory ---- */

/* Allocates bytes (> 0) of device memory. P4J_ERR_OUT_OF_MEMORY when the device is full. */
int prune4j_malloc(p4j_context* ctx, uint64_t bytes, void** out);

/* NULL is allowed. Waits for the context's stream first. */
int prune4j_free(p4j_context* ctx, void* device_ptr);

/* Copies host to device; returns when the copy is done. */
int prune4j_memcpy_h2d(p4j_context* ctx, void* device_dst, const void* host_src, uint64_t bytes);

/* Copies device to host; returns when the copy is done. */
int prune4j_memcpy_d2h(p4j_context* ctx, void* host_dst, const void* device_src, uint64_t bytes);

/* Sets bytes of device memory to (uint8_t) value, ordered on the context's stream. */
int prune4j_memset(p4j_context* ctx, void* device_dst, int32_t value, uint64_t bytes);

/* Waits until all work queued on the context's stream is done. */
int prune4j_synchronize(p4j_context* ctx);

/* ---- magnitude kernels (native/src/magnitude_*.cu); twins of dev.prune4j.engine.cpu.CpuEngine ---- */

/*
 * Radix pass of a magnitude selection (dev.prune4j.mask.RadixPass): adds to the device array
 * histogram[1 << bits] the number of live elements whose key has (key >> (shift + bits)) == prefix,
 * per digit (key >> shift) & ((1 << bits) - 1). live (device mask words) may be NULL: all live.
 * NaN among live elements: P4J_ERR_NAN. Synchronises the stream.
 */
int prune4j_magnitude_histogram(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits,
                                int32_t prefix, uint64_t* histogram, int64_t* nan_index);

/*
 * Writes into the device words mask_out a keep-mask: a live element is kept when its key is >=
 * threshold, except the first ties_to_prune live elements in flat order whose key equals threshold.
 * *ties_pruned (host) gets how many ties were pruned (min(ties_to_prune, ties present)).
 * NaN among live elements: P4J_ERR_NAN. Synchronises the stream.
 */
int prune4j_prune_below(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                        const uint64_t* live, int32_t key_space, int32_t threshold,
                        uint64_t ties_to_prune, uint64_t* mask_out, uint64_t* ties_pruned,
                        int64_t* nan_index);

/*
 * Per row of cols elements: prunes the per_row smallest live keys (key space of the dtype; ties:
 * lower column first), counting the weights live already prunes in the row against per_row.
 * mask_out = live minus the pruned weights (all kept when live is NULL).
 * NaN among live elements: P4J_ERR_NAN. Synchronises the stream.
 */
int prune4j_prune_smallest_per_row(p4j_context* ctx, const void* values, int32_t dtype, uint64_t rows,
                                   uint64_t cols, const uint64_t* live, int32_t per_row,
                                   uint64_t* mask_out, int64_t* nan_index);

/*
 * N:M: in each group of m consecutive elements keeps the n largest keys (key space of the dtype;
 * ties: lower index first). numel must be a multiple of m and 0 < n < m.
 * NaN anywhere: P4J_ERR_NAN. Synchronises the stream.
 */
int prune4j_prune_nm(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel, int32_t n,
                     int32_t m, uint64_t* mask_out, int64_t* nan_index);

/*
 * dst[i] = keep bit i set ? src[i] : 0 for numel elements of element_bytes (1, 2, 4 or 8) bytes.
 * src and dst may be the same buffer. Ordered on the stream; does not wait.
 */
int prune4j_apply_mask(p4j_context* ctx, const void* src, const uint64_t* keep, uint64_t numel,
                       int32_t element_bytes, void* dst);

/* ---- linear layers: Y = X W^T (+ bias) (native/src/gemm); twins of dev.prune4j.internal.cpu.CpuLinearKernels ---- */

/* A layer's weight on the device, in every layout its kernels need, built once. */
typedef struct p4j_gemm_plan p4j_gemm_plan;

/* Weight formats. */
#define P4J_WEIGHT_DENSE 0
#define P4J_WEIGHT_SPARSE24 1

/* Backends. AUTO: a dense weight runs on cuBLASLt; a 2:4 weight runs on the backend that
 * prune4j_gemm_tune measured fastest for the token bucket (powers of two: 1, 2, 3-4, 5-8, ...), else
 * on the decode kernel up to the plan's decode threshold (prune4j_gemm_decode_max_tokens), else on
 * CUTLASS sm_90a (Hopper) or sm_80 (Ampere and later). CUSPARSELT: NVIDIA's cuSPARSELt, loaded at
 * run time (libcusparseLt.so.0 from PRUNE4J_CUDA_LIBS, LD_LIBRARY_PATH, /usr/local/cuda/lib64 or a
 * Python environment's nvidia/ folders; prune4j_library_status says where or why not), a second
 * 2:4 implementation and an oracle for the CUTLASS results. */
#define P4J_BACKEND_AUTO 0
#define P4J_BACKEND_CUBLASLT 1
#define P4J_BACKEND_CUTLASS_SM80 2
#define P4J_BACKEND_CUTLASS_SM90 3
#define P4J_BACKEND_DECODE 4
#define P4J_BACKEND_CUSPARSELT 5

/* Most tokens the decode backend takes. */
#define P4J_DECODE_MAX_TOKENS 16

/* The decode threshold of a context that was never tuned: the decode kernel reads the compressed
 * weight once and multiplies on the sparse tensor cores, so it is designed to stay ahead of the
 * tile GEMMs up to its 16 tokens. A measured value (prune4j_gemm_tune_decode) replaces it. */
#define P4J_DECODE_DEFAULT_MAX_TOKENS 16

/* prune4j_gemm_benchmark flags. */
#define P4J_BENCH_FLUSH_L2 1

/* Run-time libraries (prune4j_library_status). */
#define P4J_LIBRARY_CUBLASLT 0
#define P4J_LIBRARY_CUSPARSELT 1
#define P4J_LIBRARY_CUSOLVER 2

/*
 * Uploads a layer's weight (host memory, dtype F16 or BF16) and prepares it:
 *  - P4J_WEIGHT_DENSE: values = W [out, in] row-major, meta NULL;
 *  - P4J_WEIGHT_SPARSE24: values [out, in/2] and meta U8 [out, ceil(in/8)] in the canonical 2:4
 *    form of dev.prune4j.sparse.Sparse24 (in a multiple of 4); the CUTLASS layouts are derived on
 *    the device, padded to the kernels' tiles.
 * bias: host F32 [out] or NULL. The host memory is only read, and not needed after the call.
 */
int prune4j_gemm_plan_create(p4j_context* ctx, int32_t weight_format, int32_t dtype, int64_t out_features,
                             int64_t in_features, const void* values, const void* meta, const float* bias,
                             p4j_gemm_plan** out);

/* Frees the plan's device memory; NULL is allowed, and so is a plan whose context was destroyed
 * (then only the handle is freed). Destroy each plan exactly once. Waits for the context's stream. */
int prune4j_gemm_plan_destroy(p4j_gemm_plan* plan);

/* The backend AUTO picks for tokens rows, or that backend's code when it could run; stores -1 when
 * backend cannot run this plan here (wrong weight format, device, or the library lacks it). */
int prune4j_gemm_backend(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, int32_t* chosen);

/*
 * y = x W^T (+ bias): x device [tokens, in], y device [tokens, out], both in the plan's dtype and
 * 16-byte aligned (prune4j_malloc's pointers are; P4J_ERR_INVALID_ARGUMENT names a misaligned
 * one); products accumulated in F32, rounded once (cuSPARSELt rounds the F16/BF16 bias first).
 * Ordered on the context's stream; does not wait.
 */
int prune4j_gemm_run(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y);

/*
 * prune4j_gemm_run with CUDA events recorded around it on the context's stream; waits for the run to
 * finish and stores the device time of its kernels in milliseconds (DeviceTiming in Java).
 */
int prune4j_gemm_run_timed(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y,
                           float* kernel_milliseconds);

/*
 * Times prune4j_gemm_run after one warm-up run: sync_each = 0 records CUDA events around
 * iterations back-to-back runs (kernel time); sync_each = 1 waits for the stream after every run
 * and measures host wall time (latency as a caller sees it). Stores milliseconds per run.
 */
int prune4j_gemm_time(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y,
                      int32_t iterations, int32_t sync_each, float* milliseconds);

/*
 * Converts a 2:4 plan's weight from the layout backend keeps on the device back into the canonical
 * form, into host values [out, in/2] and meta [out, ceil(in/8)] (round-trip tests): DECODE (the
 * uploaded canonical form) and CUTLASS_SM80 (reordered metadata) are supported.
 */
int prune4j_gemm_export_sparse24(p4j_gemm_plan* plan, int32_t backend, void* values, void* meta);

/* The decode threshold that new plans of ctx start with (0..16; 0: never the decode kernel), e.g. a
 * value prune4j_gemm_tune_decode measured on this device. */
int prune4j_gemm_set_default_decode_max_tokens(p4j_context* ctx, int32_t max_tokens);

/* AUTO runs the decode kernel up to max_tokens (0..16) tokens on this plan, unless tuning chose
 * another backend for that token bucket. */
int prune4j_gemm_set_decode_max_tokens(p4j_gemm_plan* plan, int32_t max_tokens);

int prune4j_gemm_decode_max_tokens(p4j_gemm_plan* plan, int32_t* max_tokens);

/*
 * Measures the decode threshold of a 2:4 plan on this device: for every token count t = 1..16 the
 * median device time (CUDA events, L2 scrubbed before each call, iterations calls after a short
 * warm-up) of the decode kernel into decode_ms[t-1] and of the fastest tensor-core GEMM (each
 * CUTLASS tile compiled for the device and cuSPARSELt after its own search) into gemm_ms[t-1]
 * (-1: none could run); stores the largest t up to which the decode kernel was faster at every
 * count in *max_tokens (0: never) and sets it on the plan. Waits; runs for about a second.
 */
int prune4j_gemm_tune_decode(p4j_gemm_plan* plan, int32_t iterations, int32_t* max_tokens, float* decode_ms,
                             float* gemm_ms);

/*
 * Measures every backend and tile configuration that can run the plan at tokens tokens (median of
 * iterations calls, L2 scrubbed before each; cuSPARSELt after its MatmulSearch), stores the
 * fastest backend in *chosen and the best time of each backend in backend_ms[6] (indexed by
 * P4J_BACKEND_*, -1 where it cannot run), and makes AUTO use that choice for tokens' bucket.
 * Waits.
 */
int prune4j_gemm_tune(p4j_gemm_plan* plan, int64_t tokens, int32_t iterations, int32_t* chosen, float* backend_ms);

/*
 * Honest device timing of several arms (plan, backend) at tokens tokens. plans[arm * copies + c]
 * are copies of the arm's layer (the caller uploads the same weight copies times, so that the
 * copies of a small weight together exceed the last-level cache); call i runs copy i % copies on
 * xs[i % copies] -> ys[i % copies] (copies device buffers each, 16-byte aligned, [tokens, in] and
 * [tokens, out]). Every iteration runs all arms, in order on even and reversed on odd iterations;
 * flags P4J_BENCH_FLUSH_L2 reads a buffer of four times the L2 before every call. After warmup_ms
 * of the same calls untimed (at least 1000 for the numbers: clocks ramp up), it times
 * iterations iterations with CUDA events around each single call, queued behind a kernel that
 * holds the stream until the host has queued a batch, so no host work lands inside a measurement.
 * milliseconds[iteration * arms + arm] gets each call's device time: take medians. Waits.
 */
int prune4j_gemm_benchmark(p4j_context* ctx, int32_t arms, p4j_gemm_plan* const* plans, const int32_t* backends,
                           int32_t copies, int64_t tokens, const void* const* xs, void* const* ys, int32_t flags,
                           int32_t warmup_ms, int32_t iterations, float* milliseconds);

/*
 * Device memory bandwidth for the byte-limit column: reads a fresh device buffer of bytes (a
 * multiple of 4096, at least 1 MiB; take 1 GiB or more, far beyond the L2) iterations times after
 * three untimed reads, L2 scrubbed before each; milliseconds[i] gets read i's device time
 * (bandwidth = bytes / time). Waits.
 */
int prune4j_device_read_bandwidth(p4j_context* ctx, uint64_t bytes, int32_t iterations, float* milliseconds);

/*
 * Whether a run-time library (P4J_LIBRARY_*) loads: *available 1 or 0, and into message (NUL-
 * terminated, truncated to capacity) the path it was loaded from or every place it was looked for.
 * Loads it when it was not loaded yet. Needs no device.
 */
int prune4j_library_status(int32_t library, int32_t* available, char* message, size_t capacity);

/* ---- calibration, Wanda and SparseGPT kernels (native/src/calib_*.cu, wanda_scores.cu, convert.cu,
 * sparsegpt_prepare.cu, cholesky_cusolver.cu, obs_*.cu, mask_block.cu, quadratic_form.cu); twins
 * of dev.prune4j.internal.cpu.CpuKernels and the steps of dev.prune4j.sparsegpt.SparseGpt ----
 *
 * All tensors are device memory, row-major: weights W [rows = out, cols = in], inputs X [tokens, in],
 * Hessians H [in, in] F32, masks in the packed words described above. Calls are ordered on the
 * context's stream; those that say they synchronise wait for it before returning.
 */

/*
 * sums[j] += sum_t x[t][j]^2 for x [tokens, in_features] (dtype F32, F16 or BF16), sums F32
 * [in_features]: each token slice summed in double, the slices in a fixed order, the batch total
 * added to the F32 sum once (same value on every run). A NaN or infinity in x: P4J_ERR_NOT_FINITE,
 * *bad_input = its lowest flat index, sums unchanged. A sum that overflows F32: P4J_ERR_NOT_FINITE,
 * *bad_output = its lowest column. Both get -1 otherwise; either may be NULL. Synchronises the stream.
 */
int prune4j_accumulate_squared_norms(p4j_context* ctx, const void* x, int32_t dtype, int64_t tokens,
                                     int64_t in_features, float* sums, int64_t* bad_input, int64_t* bad_output);

/*
 * h <- decay * h + (s x)^T (s x) with s = input_scale, for h F32 [in_features, in_features] and
 * x [tokens, in_features] (F16 or BF16: tensor cores; F32: F32 FMA), F32 accumulation, through
 * cuBLASLt (loaded at run time). The upper triangle is computed and mirrored: h is exactly
 * symmetric afterwards. tokens = 0 only scales h. A non-finite diagonal entry afterwards:
 * P4J_ERR_NOT_FINITE, *bad_output = its flat index in h, and *bad_input = the lowest flat index of
 * a NaN or infinity in x (-1 when x is finite: an overflow, or h was not finite before); h is then
 * left updated. Both -1 otherwise; either may be NULL. Synchronises the stream.
 */
int prune4j_hessian_update(p4j_context* ctx, float* h, int64_t in_features, const void* x, int32_t dtype,
                           int64_t tokens, float decay, float input_scale, int64_t* bad_input, int64_t* bad_output);

/*
 * Wanda's scores: scores[i][j] = |w[i][j]| * (float) sqrt((double) norm_sq[j] / tokens), F32 [rows, cols],
 * for w [rows, cols] (F32, F16 or BF16) and norm_sq F32 [cols]; bit-identical to the CPU engine's.
 * tokens >= 1. Does not wait. The masks then come from prune4j_prune_smallest_per_row,
 * prune4j_prune_nm or a global selection (histogram + prune_below) on scores.
 */
int prune4j_wanda_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols,
                         const float* norm_sq, int64_t tokens, float* scores);

/*
 * dst[i] = src[i] converted, for numel elements: F16/BF16 -> F32 exactly, F32 -> F16 as Java's
 * Float.floatToFloat16, F32 -> BF16 as Half.floatToBf16 (round to nearest even), F16 <-> BF16
 * through F32. Same dtypes: a copy. src and dst must not overlap unless the dtypes are equal and
 * src == dst. Does not wait.
 */
int prune4j_convert(p4j_context* ctx, const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype, uint64_t numel);

/*
 * SparseGPT's dead inputs: w[r][j] = 0 (w F32 [rows, n]) for every j with h[j][j] == 0 (h F32 [n, n]).
 * *dead_count (may be NULL: then the call does not wait) gets how many inputs are dead;
 * with dead_count the call synchronises the stream.
 */
int prune4j_sparsegpt_dead_inputs(p4j_context* ctx, const float* h, int64_t n, float* w, int64_t rows,
                                  int64_t* dead_count);

/*
 * SparseGPT's damped copy of the Hessian: hinv = h, then hinv[j][j] = (h[j][j] == 0 ? 1 : h[j][j]) +
 * (float) (percdamp * mean), mean = the mean of the diagonal in double with dead entries counted as 1.
 * h and hinv are distinct F32 [n, n]; h is not changed, so a retry calls this again with
 * 10 * percdamp. *mean_diagonal (may be NULL: then the call does not wait) gets mean; with it the
 * call synchronises the stream.
 */
int prune4j_sparsegpt_damp(p4j_context* ctx, const float* h, int64_t n, double percdamp, float* hinv,
                           double* mean_diagonal);

/*
 * Replaces a (F32 [n, n], symmetric positive definite) by the upper triangular U with U^T U = a^-1,
 * zeros below the diagonal, through cuSOLVER (libcusolver.so.12, loaded at run time): potrf,
 * potri, potrf. A leading minor that is not positive definite in any of the steps:
 * P4J_ERR_NOT_POSITIVE_DEFINITE, *info (may be NULL) = its order, a unspecified: the caller
 * restores the damped copy with more damping and retries. *info = 0 otherwise. Synchronises the stream.
 */
int prune4j_cholesky_inverse_upper(p4j_context* ctx, float* a, int64_t n, int32_t* info);

/*
 * SparseGPT's saliency on the block [from, to): scores[r][j] = w[r][from + j]^2 / hinv[from + j][from + j]^2,
 * F32 [rows, to - from], for the working weights w F32 [rows, cols] and the inverse factor hinv
 * F32 [cols, cols]; the CPU's roundings. Does not wait.
 */
int prune4j_obs_scores(p4j_context* ctx, const float* w, int64_t rows, int64_t cols, const float* hinv,
                       int64_t from, int64_t to, float* scores);

/*
 * SparseGPT's column-by-column OBS step on the block [from, to) of w F32 [rows, cols] with the
 * inverse factor hinv F32 [cols, cols] (upper triangle read): column by column, a weight is pruned
 * (set to 0) where the block mask says so, its error e = (w - q) / hinv[j][j] is stored in
 * err F32 [rows, to - from] and spread over the block's later columns with row j of hinv. The
 * block's columns of w are overwritten. block_keep [rows * (to - from) bits, row-major]:
 *  - nm_m == 0: read, the mask chosen before (e.g. by prune4j_prune_smallest_per_row on
 *    prune4j_obs_scores);
 *  - nm_m > 0: written: in each group of nm_m columns of a row the nm_n largest w^2 / d^2 are kept,
 *    chosen as the group is reached (equal scores keep the lower column); (to - from) % nm_m == 0.
 * Each row's result is bit-identical to CpuKernels.obsBlock's. Blocks of up to 128 columns with
 * unstructured, 2:4 or 4:8 masks run on the register kernel, others on a slower generic one.
 * Does not wait.
 */
int prune4j_obs_block(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from,
                      int64_t to, uint64_t* block_keep, int32_t nm_n, int32_t nm_m, float* err);

/*
 * SparseGPT's lazy update: w[:, to:] -= err @ hinv[from:to, to:], for w F32 [rows, cols], err F32
 * [rows, to - from], hinv F32 [cols, cols], in F32 through cuBLASLt. Nothing to do when to == cols.
 * Does not wait.
 */
int prune4j_obs_trailing_update(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* err,
                                const float* hinv, int64_t from, int64_t to);

/*
 * Writes a block's mask block_keep [rows * width bits] into columns [from, from + width) of the
 * layer's mask keep [rows * cols bits]; keep's other bits are not changed. Does not wait.
 */
int prune4j_mask_insert_block(p4j_context* ctx, const uint64_t* block_keep, int64_t rows, int64_t width,
                              uint64_t* keep, int64_t cols, int64_t from);

/*
 * *result = sum_r d_r^T h d_r = trace(D h D^T), D = a - b [rows, n] formed in F32 (b may be NULL:
 * D = a), h F32 [n, n]: D h through cuBLASLt in F32, the dot products and their sum in double, in a
 * fixed order. The reconstruction error is (tokens / 2) * *result. Synchronises the stream.
 */
int prune4j_row_quadratic_form_sum(p4j_context* ctx, const void* a, int32_t a_dtype, const void* b,
                                   int32_t b_dtype, int64_t rows, int64_t n, const float* h, double* result);

/*
 * prune4j_magnitude_histogram without waiting, for global selections over many tensors: adds to
 * histogram as that call does, and folds the lowest flat index of a NaN among the live elements
 * into the device int64 *nan_slot with an atomic minimum. The caller sets the slot to a value
 * >= numel beforehand (e.g. prune4j_memset with 0x7F) and reads it after prune4j_synchronize.
 */
int prune4j_magnitude_histogram_async(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                      const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits,
                                      int32_t prefix, uint64_t* histogram, int64_t* nan_slot);

/* ---- RIA, OWL and SparseSwaps kernels (native/src/ria_scores.cu, score_reductions.cu, mask_swaps.cu);
 * twins of dev.prune4j.internal.cpu.RiaScores, ScoreReductions and MaskSwaps ----
 *
 * Device memory, row-major, as the section above. Argument checks that need no device (shapes,
 * options, out-parameters) come before the context is checked. Sums are computed in one fixed order
 * (no floating-point atomics), so every result repeats run to run.
 */

/*
 * RIA's scores: scores[i][j] = (|w[i][j]| / sum_k |w[k][j]| + |w[i][j]| / sum_k |w[i][k]|) *
 * pow((double) norm_sq[j] / tokens, exponent / 2), F32 [rows, cols], for w [rows, cols] (F32, F16 or
 * BF16) and norm_sq F32 [cols]; a zero row or column sum contributes 0. The sums in double in the CPU
 * engine's order (a row's columns in order; a column's rows in chunks of 64, the chunks in order),
 * so the scores are bit-identical to the CPU's except where the device's pow and Java's Math.pow
 * round the column factor apart (then by one ulp of a score, rarely). tokens >= 1, exponent finite
 * and >= 0. Does not wait.
 */
int prune4j_ria_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols,
                       const float* norm_sq, int64_t tokens, double exponent, float* scores);

/*
 * *sum = the sum of the numel F32 elements of t in double: chunks of 65536 elements each summed in
 * flat order, the chunks' sums in chunk order, bit-identical to the CPU engine's. *sum = 0 on
 * failure. Synchronises the stream.
 */
int prune4j_score_sum(p4j_context* ctx, const float* t, uint64_t numel, double* sum);

/*
 * *count = how many of the numel F32 elements of t are strictly above threshold (NaN never is).
 * *count = 0 on failure. Synchronises the stream.
 */
int prune4j_count_above(p4j_context* ctx, const float* t, uint64_t numel, float threshold, int64_t* count);

/*
 * out = d h for F32 d [rows, n] and h [n, n]; out F32 [rows, n] is overwritten. Through cuBLASLt (loaded
 * at run time) in F32 multiply-adds, no TF32: equal to the CPU's product up to F32 rounding (the
 * order of the sums differs). Does not wait.
 */
int prune4j_hessian_product(p4j_context* ctx, const float* d, int64_t rows, int64_t n, const float* h, float* out);

/*
 * SparseSwaps' 1-swaps, row by row, on w (original weights), v (working weights, zero where
 * pruned), g = (w - v) h (all F32 [rows, n]) and h F32 [n, n], with the layer's mask keep
 * [rows * n bits]: in each group of group columns (n: the whole row; M for N:M; n % group == 0),
 * repeatedly unprunes one pruned weight and prunes one kept weight of the group when that lowers
 * the row's error (w - v) h (w - v)^T by more than tolerance times it, at most max_swaps_per_row
 * times a row. candidates > 0 restricts a whole-row search to that many best weights to unprune
 * and to prune alone (0: every pair; ignored when group < n). v, g (rows that swapped) and keep
 * are updated in place; every row and group keeps its count. *swaps (host) = the swaps made, 0 on
 * failure. For the same inputs every row is bit-identical to the CPU engine's (MaskSwaps.swap):
 * up to 32 candidates, every pair, or N:M groups one warp per row, more candidates one thread per
 * row. Synchronises the stream.
 */
int prune4j_mask_swaps(p4j_context* ctx, const float* w, float* v, float* g, const float* h, int64_t rows, int64_t n,
                       uint64_t* keep, int32_t group, int32_t max_swaps_per_row, int32_t candidates,
                       double tolerance, int64_t* swaps);

#ifdef __cplusplus
}
#endif

#endif /* PRUNE4J_H */
