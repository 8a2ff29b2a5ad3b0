// Per-channel sums of squared activations, sums[j] += sum_t x[t][j]^2: the twin of
// CpuKernels.accumulateSquaredNorms (Wanda's statistics).
//
// Accuracy: a square of an F32 (or widened F16/BF16) value is exact in double, so only additions
// round. Each thread sums the squares of one token slice (calib_layout.cuh: at least 16, about
// tokens / slices tokens) in double; a second kernel adds the slices in a fixed order, in double,
// and adds the batch total to the F32 sum once, as the CPU does ((float) (sum + batch)). No
// atomics: the result is the same on every run, and within a few double ulps of the CPU's.
#include "calib_layout.cuh"
#include "float_bits.cuh"
#include "linalg_shared.cuh"

namespace {

using p4j::NormsGrid;

template <int DTYPE, int VEC>
__global__ void __launch_bounds__(p4j::NORMS_THREADS)
squared_norm_partials(const void* x, int64_t tokens, int64_t in, int64_t rows_per_slice, double* partial,
                      long long* bad_input) {
    const int64_t c0 = (static_cast<int64_t>(blockIdx.x) * p4j::NORMS_THREADS + threadIdx.x) * VEC;
    if (c0 >= in) return;
    const int64_t t0 = static_cast<int64_t>(blockIdx.y) * rows_per_slice;
    const int64_t t1 = t0 + rows_per_slice < tokens ? t0 + rows_per_slice : tokens;
    double acc[VEC];
#pragma unroll
    for (int v = 0; v < VEC; v++) acc[v] = 0.0;
#pragma unroll 4
    for (int64_t t = t0; t < t1; t++) {
        const uint64_t at = static_cast<uint64_t>(t * in + c0);
        float f[VEC];
        bool bad[VEC];
        if constexpr (VEC == 1) {
            f[0] = p4j::load_f32<DTYPE>(x, at);
            bad[0] = p4j::element_not_finite<DTYPE>(x, at);
        } else if constexpr (DTYPE == P4J_DTYPE_F32) {
            static_assert(VEC == 2, "one 8-byte load");
            const uint2 raw = *reinterpret_cast<const uint2*>(static_cast<const float*>(x) + at);
            f[0] = __uint_as_float(raw.x);
            f[1] = __uint_as_float(raw.y);
            bad[0] = p4j::f32_bits_not_finite(raw.x);
            bad[1] = p4j::f32_bits_not_finite(raw.y);
        } else {
            static_assert(VEC == 4, "one 8-byte load");
            const uint2 raw = *reinterpret_cast<const uint2*>(static_cast<const uint16_t*>(x) + at);
            const uint32_t h[4] = {raw.x & 0xFFFFu, raw.x >> 16, raw.y & 0xFFFFu, raw.y >> 16};
#pragma unroll
            for (int v = 0; v < 4; v++) {
                if constexpr (DTYPE == P4J_DTYPE_F16) {
                    f[v] = p4j::f16_to_f32(h[v]);
                    bad[v] = p4j::f16_bits_not_finite(h[v]);
                } else {
                    f[v] = p4j::bf16_to_f32(h[v]);
                    bad[v] = p4j::bf16_bits_not_finite(h[v]);
                }
            }
        }
#pragma unroll
        for (int v = 0; v < VEC; v++) {
            if (bad[v]) p4j::report_index(bad_input, at + v);
            const double d = f[v];
            acc[v] += d * d;
        }
    }
#pragma unroll
    for (int v = 0; v < VEC; v++) partial[static_cast<int64_t>(blockIdx.y) * in + c0 + v] = acc[v];
}

// sums[j] = (float) (sums[j] + sum over slices of partial[s][j]), unless the input had a bad value.
__global__ void squared_norm_finish(const double* partial, int64_t slices, int64_t in, float* sums,
                                    const long long* bad_input, long long* bad_output) {
    if (*bad_input != p4j::FLAG_NONE) return;  // leave the sums as they were
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < in; j += stride) {
        double total = 0.0;
        for (int64_t s = 0; s < slices; s++) total += partial[s * in + j];
        const float r = static_cast<float>(static_cast<double>(sums[j]) + total);
        sums[j] = r;
        if (p4j::f32_bits_not_finite(__float_as_uint(r))) p4j::report_index(bad_output, static_cast<uint64_t>(j));
    }
}

}  // namespace

extern "C" int prune4j_accumulate_squared_norms(p4j_context* ctx, const void* x, int32_t dtype, int64_t tokens,
                                                int64_t in_features, float* sums, int64_t* bad_input,
                                                int64_t* bad_output) {
    if (bad_input != nullptr) *bad_input = -1;
    if (bad_output != nullptr) *bad_output = -1;
    P4J_CHECK(p4j::enter(ctx));
    if (tokens < 0 || in_features < 1) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "accumulate_squared_norms: shape [%lld, %lld]", (long long)tokens,
                         (long long)in_features);
    }
    if (dtype != P4J_DTYPE_F32 && dtype != P4J_DTYPE_F16 && dtype != P4J_DTYPE_BF16) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "accumulate_squared_norms: unknown dtype code %d", dtype);
    }
    if (tokens == 0) return P4J_OK;
    if (x == nullptr || sums == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "accumulate_squared_norms: NULL x or sums");
    }
    const int bytes = p4j::dtype_bytes(dtype);
    const int wide = 8 / bytes;
    const bool vector = in_features % wide == 0 && reinterpret_cast<uintptr_t>(x) % 8 == 0;
    const NormsGrid g = p4j::norms_grid(tokens, in_features, vector ? wide : 1, int64_t{8} * ctx->sm_count);
    p4j::AsyncBuffer partial(ctx->stream);
    P4J_CHECK(partial.allocate(static_cast<size_t>(g.slices * in_features) * sizeof(double),
                               "cudaMallocAsync (squared norm partial sums)"));
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 2, &flags));
    const dim3 grid(static_cast<unsigned>(g.col_blocks), static_cast<unsigned>(g.slices));
    P4J_CHECK(p4j::dispatch_dtype(dtype, "accumulate_squared_norms", [&]<int DTYPE>() {
        constexpr int WIDE = DTYPE == P4J_DTYPE_F32 ? 2 : 4;
        if (vector) {
            squared_norm_partials<DTYPE, WIDE><<<grid, p4j::NORMS_THREADS, 0, ctx->stream>>>(
                x, tokens, in_features, g.rows_per_slice, partial.as<double>(), flags);
        } else {
            squared_norm_partials<DTYPE, 1><<<grid, p4j::NORMS_THREADS, 0, ctx->stream>>>(
                x, tokens, in_features, g.rows_per_slice, partial.as<double>(), flags);
        }
        return P4J_OK;
    }));
    P4J_CUDA(cudaGetLastError(), "squared_norm_partials launch");
    squared_norm_finish<<<p4j::grid_for(ctx, static_cast<uint64_t>(in_features), p4j::THREADS), p4j::THREADS, 0,
                          ctx->stream>>>(partial.as<double>(), g.slices, in_features, sums, flags, flags + 1);
    long long found[2];
    P4J_CHECK(p4j::flags_read(ctx, 2, found, "accumulate_squared_norms"));
    if (found[0] != p4j::FLAG_NONE) {
        if (bad_input != nullptr) *bad_input = found[0];
        return p4j::fail(P4J_ERR_NOT_FINITE, "accumulate_squared_norms: input [%lld, %lld] holds a NaN or infinity at "
                         "flat index %lld (row %lld, column %lld); sums left unchanged", (long long)tokens,
                         (long long)in_features, found[0], found[0] / in_features, found[0] % in_features);
    }
    if (found[1] != p4j::FLAG_NONE) {
        if (bad_output != nullptr) *bad_output = found[1];
        return p4j::fail(P4J_ERR_NOT_FINITE, "accumulate_squared_norms: the sum of squares of column %lld overflowed F32",
                         found[1]);
    }
    return P4J_OK;
}
