// Host-side checks of the helpers the kernels share (p4j_internal.cuh, gemm/gemm_math.cuh), run by
// native/build.sh right after the build: no GPU is needed, and these are the exact functions
// the kernels call. Prints "N passed, 0 failed" or the first mismatches and exits non-zero.
#include "host_test.h"
#include "p4j_internal.cuh"

#include "gemm_math_test.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

int failures = 0;
int passes = 0;

void expect(bool ok, const char* what, unsigned long long a, unsigned long long b) {
    if (ok) {
        passes++;
        return;
    }
    if (failures++ < 10) {
        std::printf("FAIL %s: got 0x%llx, expected 0x%llx\n", what, a, b);
    }
}

// Reference: the F16 magnitude's value computed with ldexp, then its F32 bits.
uint32_t reference_f16_key(uint32_t h) {
    const uint32_t exponent = (h >> 10) & 0x1F;
    const uint32_t mantissa = h & 0x3FF;
    float value;
    if (exponent == 31) {
        value = mantissa == 0 ? INFINITY : NAN;
    } else if (exponent == 0) {
        value = std::ldexp(static_cast<float>(mantissa), -24);
    } else {
        value = std::ldexp(static_cast<float>(1024 + mantissa), static_cast<int>(exponent) - 25);
    }
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

}  // namespace

int main() {
    for (uint32_t h = 0; h < 0x8000; h++) {
        const uint32_t actual = p4j::f16_magnitude_to_f32_key(h);
        const uint32_t expected = reference_f16_key(h);
        if (h > 0x7C00) {
            expect(actual > 0x7F800000u, "f16 NaN key above F32 infinity", actual, expected);
        } else {
            expect(actual == expected, "f16 magnitude widened to F32 bits", actual, expected);
        }
    }
    // Keys must sort like the magnitudes they stand for.
    for (uint32_t h = 1; h <= 0x7C00; h++) {
        expect(p4j::f16_magnitude_to_f32_key(h) > p4j::f16_magnitude_to_f32_key(h - 1), "f16 keys increase", h, h - 1);
    }
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 20000; round++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t keep = state | (state << 17);
        const uint64_t ties = keep & (state * 0xBF58476D1CE4E5B9ull);
        const uint64_t take = (state >> 58) % 70;
        uint64_t expected = keep;
        uint64_t left = take;
        for (int b = 0; b < 64 && left > 0; b++) {
            if ((ties >> b) & 1) {
                expected &= ~(1ull << b);
                left--;
            }
        }
        const uint64_t actual = p4j::clear_lowest_ties(keep, ties, take);
        expect(actual == expected, "clear_lowest_ties", actual, expected);
    }
    gemm_math_tests(expect);
    std::printf("%d passed, %d failed\n", passes, failures);
    const long more = p4j_test::run_layout_tests() + p4j_test::run_obs_tests() + p4j_test::run_swap_tests() +
                      p4j_test::run_method_score_tests();
    return failures == 0 && more == 0 ? 0 : 1;
}
