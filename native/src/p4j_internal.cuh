// Shared by every translation unit of libprune4j: the context, error reporting and magnitude keys.
#pragma once

#include "prune4j.h"

#include <cuda_runtime.h>

#include <cstdint>

struct p4j_context {
    int device;
    cudaStream_t stream;
    char name[256];
    int major;
    int minor;
    int sm_count;
    size_t max_shared_optin;  // bytes of shared memory a block may opt in to
    // One int64 of device scratch: the lowest flat index of a NaN seen by the last kernel.
    long long* nan_index;
    // Workspace and padding scratch of the GEMM plans (src/gemm/gemm_plan.cu), made on first use.
    struct p4j_gemm_shared* gemm;
    // cuSOLVER handle, cuBLASLt workspace and flags of the calibration and SparseGPT kernels
    // (src/linalg_shared.cu), made on first use.
    struct p4j_linalg_shared* linalg;
};

namespace p4j {

constexpr int THREADS = 256;

// Records a printf-style message as this thread's last error and returns status.
int fail(int status, const char* format, ...);

// Maps a CUDA error to a status (out of memory, no driver, ...) with a message naming the call.
int cuda_fail(cudaError_t err, const char* what);

// P4J_OK for cudaSuccess, else cuda_fail(err, what).
inline int cuda_status(cudaError_t err, const char* what) { return err == cudaSuccess ? P4J_OK : cuda_fail(err, what); }

// Checks ctx and makes its device current on this thread.
int enter(p4j_context* ctx);

// Reads back the NaN scratch after a kernel: P4J_ERR_NAN (message names the index) or P4J_OK.
// Synchronises the stream. nan_index may be NULL.
int finish_nan_check(p4j_context* ctx, const char* kernel, int64_t* nan_index);

// Sets the NaN scratch to "none" before a kernel.
int reset_nan(p4j_context* ctx);

// Destroys the context's GEMM plans (their handles stay valid and inert: a later
// prune4j_gemm_plan_destroy only frees the handle) and frees ctx->gemm (src/gemm/gemm_plan.cu);
// called by prune4j_context_destroy after its sync.
void gemm_shared_release(p4j_context* ctx);

// Frees ctx->linalg (src/linalg_shared.cu); called by prune4j_context_destroy after its sync.
void linalg_shared_release(p4j_context* ctx);

// A grid of at most enough blocks to cover work items, and at most a few waves of the device.
unsigned grid_for(const p4j_context* ctx, uint64_t items, unsigned threads);

}  // namespace p4j

#define P4J_CUDA(call, what)                                     \
    do {                                                         \
        cudaError_t p4j_err_ = (call);                           \
        if (p4j_err_ != cudaSuccess) {                           \
            return ::p4j::cuda_fail(p4j_err_, what);             \
        }                                                        \
    } while (0)

#define P4J_CHECK(expr)                    \
    do {                                   \
        int p4j_status_ = (expr);          \
        if (p4j_status_ != P4J_OK) {       \
            return p4j_status_;            \
        }                                  \
    } while (0)

namespace p4j {

// Magnitude keys: |w| as an unsigned integer that sorts like |w| (dev.prune4j.engine.KeySpace).
// WIDE = the F32_BITS key space, where 16-bit values are widened to F32 first (exactly).
template <int DTYPE, bool WIDE>
struct Keys;

template <>
struct Keys<P4J_DTYPE_F32, true> {
    static constexpr uint32_t INFINITY_KEY = 0x7F800000u;
    __device__ static uint32_t key(const void* values, uint64_t i) {
        return static_cast<const uint32_t*>(values)[i] & 0x7FFFFFFFu;
    }
};

template <>
struct Keys<P4J_DTYPE_F16, false> {
    static constexpr uint32_t INFINITY_KEY = 0x7C00u;
    __device__ static uint32_t key(const void* values, uint64_t i) {
        return static_cast<const uint16_t*>(values)[i] & 0x7FFFu;
    }
};

template <>
struct Keys<P4J_DTYPE_BF16, false> {
    static constexpr uint32_t INFINITY_KEY = 0x7F80u;
    __device__ static uint32_t key(const void* values, uint64_t i) {
        return static_cast<const uint16_t*>(values)[i] & 0x7FFFu;
    }
};

template <>
struct Keys<P4J_DTYPE_BF16, true> {
    static constexpr uint32_t INFINITY_KEY = 0x7F800000u;
    __device__ static uint32_t key(const void* values, uint64_t i) {
        return (static_cast<const uint16_t*>(values)[i] & 0x7FFFu) << 16;
    }
};

// The F32 bits of an F16 magnitude (15 bits, sign dropped), exact for normals, subnormals, zero
// and infinity; any NaN maps above 0x7F800000. Integer-only, so host tests check this very code.
__host__ __device__ inline uint32_t f16_magnitude_to_f32_key(uint32_t h) {
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    const uint32_t mantissa = h & 0x3FFu;
    if (exponent == 31) {
        return mantissa == 0 ? 0x7F800000u : 0x7FC00000u;
    }
    if (exponent != 0) {
        return ((exponent + 112u) << 23) | (mantissa << 13);
    }
    if (mantissa == 0) {
        return 0;
    }
    // Subnormal: mantissa * 2^-24 with its leading one at bit p is 2^(p-24) * 1.f in F32.
    int p = 9;
    while (((mantissa >> p) & 1u) == 0) {
        p--;
    }
    const uint32_t fraction = (mantissa << (23 - p)) & 0x7FFFFFu;
    return (static_cast<uint32_t>(p + 103) << 23) | fraction;
}

// keep with the lowest `take` set bits of ties cleared (ties is a subset of keep's set bits).
__host__ __device__ inline uint64_t clear_lowest_ties(uint64_t keep, uint64_t ties, uint64_t take) {
    while (ties != 0 && take > 0) {
        keep &= ~(ties & (~ties + 1));
        ties &= ties - 1;
        take--;
    }
    return keep;
}

template <>
struct Keys<P4J_DTYPE_F16, true> {
    static constexpr uint32_t INFINITY_KEY = 0x7F800000u;
    __device__ static uint32_t key(const void* values, uint64_t i) {
        return f16_magnitude_to_f32_key(static_cast<const uint16_t*>(values)[i]);
    }
};

// Bit i of a mask (true when mask is NULL: everything live).
__device__ __forceinline__ bool is_live(const uint64_t* live, uint64_t i) {
    return live == nullptr || ((live[i >> 6] >> (i & 63)) & 1u) != 0;
}

__device__ __forceinline__ void report_nan(long long* nan_index, uint64_t i) {
    atomicMin(nan_index, static_cast<long long>(i));
}

// Calls f.template operator()<DTYPE, WIDE>() for the (dtype, key space) pair, or fails with a
// message when the pair is not allowed (KeySpace: a 16-bit key space only for its own dtype).
template <typename F>
int dispatch_keys(int32_t dtype, int32_t key_space, F&& f) {
    switch (dtype) {
        case P4J_DTYPE_F32:
            if (key_space == P4J_KEYS_F32_BITS) return f.template operator()<P4J_DTYPE_F32, true>();
            break;
        case P4J_DTYPE_F16:
            if (key_space == P4J_KEYS_F32_BITS) return f.template operator()<P4J_DTYPE_F16, true>();
            if (key_space == P4J_KEYS_F16_BITS) return f.template operator()<P4J_DTYPE_F16, false>();
            break;
        case P4J_DTYPE_BF16:
            if (key_space == P4J_KEYS_F32_BITS) return f.template operator()<P4J_DTYPE_BF16, true>();
            if (key_space == P4J_KEYS_BF16_BITS) return f.template operator()<P4J_DTYPE_BF16, false>();
            break;
        default:
            return fail(P4J_ERR_INVALID_ARGUMENT, "unknown dtype code %d", dtype);
    }
    return fail(P4J_ERR_INVALID_ARGUMENT, "dtype code %d cannot be keyed in key space %d", dtype, key_space);
}

// P4J_OK when dispatch_keys accepts the pair, else its error.
inline int check_keys(int32_t dtype, int32_t key_space) {
    bool ok = (key_space == P4J_KEYS_F32_BITS &&
               (dtype == P4J_DTYPE_F32 || dtype == P4J_DTYPE_F16 || dtype == P4J_DTYPE_BF16)) ||
              (key_space == P4J_KEYS_F16_BITS && dtype == P4J_DTYPE_F16) ||
              (key_space == P4J_KEYS_BF16_BITS && dtype == P4J_DTYPE_BF16);
    return ok ? P4J_OK
              : fail(P4J_ERR_INVALID_ARGUMENT, "dtype code %d cannot be keyed in key space %d", dtype, key_space);
}

// The key space of a dtype's own magnitudes (KeySpace.forDType).
inline int32_t key_space_of(int32_t dtype) {
    return dtype == P4J_DTYPE_F16 ? P4J_KEYS_F16_BITS : dtype == P4J_DTYPE_BF16 ? P4J_KEYS_BF16_BITS : P4J_KEYS_F32_BITS;
}

}  // namespace p4j
