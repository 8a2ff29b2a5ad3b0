// Element conversions and single-rounding float arithmetic shared by the calibration and SparseGPT
// kernels, written as integer code or explicit intrinsics so that the host test checks the very
// functions the kernels call, and so that results match the Java twins bit for bit:
//  - F16/BF16 -> F32 widen exactly; F32 -> F16 is Java's Float.floatToFloat16 (round to nearest
//    even, its NaN rule), F32 -> BF16 is dev.prune4j.tensor.Half.floatToBf16;
//  - mul_rn / sub_rn / div_rn (and dmul_rn ... for doubles) round once each and are never
//    contracted into an FMA: Java rounds a product and the following subtraction separately
//    (ObsBlock, MatMulKernel.subtractOuter, MaskSwaps).
#pragma once

#include "p4j_internal.cuh"

#include <cstdint>
#include <cstring>

namespace p4j {

__host__ __device__ inline float bits_to_float(uint32_t b) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(b);
#else
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
#endif
}

__host__ __device__ inline uint32_t float_to_bits(float f) {
#ifdef __CUDA_ARCH__
    return __float_as_uint(f);
#else
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
#endif
}

__host__ __device__ inline float mul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fmul_rn(a, b);
#else
    volatile float p = a * b;  // volatile: no contraction with a following add, whatever the flags
    return p;
#endif
}

__host__ __device__ inline float add_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}

__host__ __device__ inline float sub_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fsub_rn(a, b);
#else
    return a - b;
#endif
}

__host__ __device__ inline float div_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fdiv_rn(a, b);
#else
    return a / b;
#endif
}

// The same for doubles (RiaScores, ScoreReductions and MaskSwaps compute in double as Java does).
__host__ __device__ inline double dmul_rn(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dmul_rn(a, b);
#else
    volatile double p = a * b;
    return p;
#endif
}

__host__ __device__ inline double dadd_rn(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dadd_rn(a, b);
#else
    return a + b;
#endif
}

__host__ __device__ inline double dsub_rn(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dsub_rn(a, b);
#else
    return a - b;
#endif
}

__host__ __device__ inline double ddiv_rn(double a, double b) {
#ifdef __CUDA_ARCH__
    return __ddiv_rn(a, b);
#else
    return a / b;
#endif
}

__host__ __device__ inline double bits_to_double(uint64_t b) {
#ifdef __CUDA_ARCH__
    return __longlong_as_double(static_cast<long long>(b));
#else
    double d;
    std::memcpy(&d, &b, sizeof d);
    return d;
#endif
}

__host__ __device__ inline uint64_t double_to_bits(double d) {
#ifdef __CUDA_ARCH__
    return static_cast<uint64_t>(__double_as_longlong(d));
#else
    uint64_t b;
    std::memcpy(&b, &d, sizeof b);
    return b;
#endif
}

// +infinity as a double, on both sides.
__host__ __device__ inline double double_infinity() { return bits_to_double(0x7FF0000000000000ull); }

// F16 bits to F32, exact (NaN keeps its sign and payload, as Float.float16ToFloat).
__host__ __device__ inline float f16_to_f32(uint32_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t magnitude = h & 0x7FFFu;
    if (magnitude > 0x7C00u) {
        return bits_to_float(sign | 0x7F800000u | ((magnitude & 0x3FFu) << 13));
    }
    return bits_to_float(sign | f16_magnitude_to_f32_key(magnitude));
}

__host__ __device__ inline float bf16_to_f32(uint32_t h) {
    return bits_to_float((h & 0xFFFFu) << 16);
}

// Float.floatToFloat16: round to nearest even; overflow (>= 65520) to infinity; NaN keeps its sign
// and folds its payload into the 10 significand bits the way the JDK does.
__host__ __device__ inline uint16_t f32_to_f16(float value) {
    const uint32_t f = float_to_bits(value);
    const uint32_t sign = (f >> 16) & 0x8000u;
    const uint32_t a = f & 0x7FFFFFFFu;
    if (a > 0x7F800000u) {
        return static_cast<uint16_t>(sign | 0x7C00u | ((f & 0x007FE000u) >> 13) | ((f & 0x00001FF0u) >> 4) |
                                     (f & 0x0000000Fu));
    }
    if (a >= 0x477FF000u) {  // 65520 = F16 max + half an ulp, and infinity
        return static_cast<uint16_t>(sign | 0x7C00u);
    }
    if (a <= 0x33000000u) {  // <= 2^-25, half the smallest subnormal: rounds to zero (ties to even)
        return static_cast<uint16_t>(sign);
    }
    if (a < 0x38800000u) {  // below 2^-14: an F16 subnormal, in units of 2^-24
        const uint32_t mantissa = (a & 0x7FFFFFu) | 0x800000u;
        const int shift = 126 - static_cast<int>(a >> 23);  // 14..24
        uint32_t q = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1);
        const uint32_t half = 1u << (shift - 1);
        if (rest > half || (rest == half && (q & 1u) != 0)) q++;
        return static_cast<uint16_t>(sign | q);  // q == 0x400 carries into the smallest normal
    }
    // Normal: rebias the exponent (127 - 15) and round the 13 dropped bits to nearest even; a carry
    // into the exponent is the right result, up to infinity.
    const uint32_t rounded = a + 0xFFFu + ((a >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

// Half.floatToBf16: round to nearest even; NaN stays a quiet NaN of the same sign.
__host__ __device__ inline uint16_t f32_to_bf16(float value) {
    const uint32_t f = float_to_bits(value);
    if ((f & 0x7FFFFFFFu) > 0x7F800000u) {
        return static_cast<uint16_t>((f >> 16) | 0x0040u);
    }
    return static_cast<uint16_t>((f + 0x7FFFu + ((f >> 16) & 1u)) >> 16);
}

// True for NaN and infinities, on the raw bits of each dtype.
__host__ __device__ inline bool f32_bits_not_finite(uint32_t b) { return (b & 0x7FFFFFFFu) >= 0x7F800000u; }
__host__ __device__ inline bool f16_bits_not_finite(uint32_t h) { return (h & 0x7FFFu) >= 0x7C00u; }
__host__ __device__ inline bool bf16_bits_not_finite(uint32_t h) { return (h & 0x7FFFu) >= 0x7F80u; }

// Element i of a tensor of DTYPE, widened to F32 (exact).
template <int DTYPE>
__host__ __device__ inline float load_f32(const void* values, uint64_t i) {
    if constexpr (DTYPE == P4J_DTYPE_F32) {
        return static_cast<const float*>(values)[i];
    } else if constexpr (DTYPE == P4J_DTYPE_F16) {
        return f16_to_f32(static_cast<const uint16_t*>(values)[i]);
    } else {
        return bf16_to_f32(static_cast<const uint16_t*>(values)[i]);
    }
}

// Whether element i of a tensor of DTYPE is NaN or infinite.
template <int DTYPE>
__host__ __device__ inline bool element_not_finite(const void* values, uint64_t i) {
    if constexpr (DTYPE == P4J_DTYPE_F32) {
        return f32_bits_not_finite(static_cast<const uint32_t*>(values)[i]);
    } else if constexpr (DTYPE == P4J_DTYPE_F16) {
        return f16_bits_not_finite(static_cast<const uint16_t*>(values)[i]);
    } else {
        return bf16_bits_not_finite(static_cast<const uint16_t*>(values)[i]);
    }
}

// Calls f.template operator()<DTYPE>() for a prunable dtype, or fails naming the argument.
template <typename F>
int dispatch_dtype(int32_t dtype, const char* what, F&& f) {
    switch (dtype) {
        case P4J_DTYPE_F32: return f.template operator()<P4J_DTYPE_F32>();
        case P4J_DTYPE_F16: return f.template operator()<P4J_DTYPE_F16>();
        case P4J_DTYPE_BF16: return f.template operator()<P4J_DTYPE_BF16>();
        default: return fail(P4J_ERR_INVALID_ARGUMENT, "%s: unknown dtype code %d", what, dtype);
    }
}

inline int dtype_bytes(int32_t dtype) { return dtype == P4J_DTYPE_F32 ? 4 : 2; }

}  // namespace p4j
