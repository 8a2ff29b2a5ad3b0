// Decode path of the 2:4 GEMM (1..16 tokens). A layer is bound by its weight's bytes here, so the
// kernel streams the canonical compressed weight (2 values + one nibble per group of 4: 9/16 of
// the dense bytes) exactly once, in 16-byte loads, and leaves the arithmetic to the sparse tensor
// cores (mma.sp m16n8k32, F32 accumulation) with the tokens as the mma's N: the F32 FMAs of a CUDA
// core kernel made the old kernel compute- and L1-bound above a few tokens. The canonical nibble
// (i0 | i1 << 2, i0 < i1) is the hardware's metadata format, so no re-layout is needed; x is staged
// in shared memory in the order the mma wants (gemm_math.cuh). Geometry, split and lane math live
// in gemm_math.cuh, where the host test checks them against plain loops. Java twin:
// CpuLinearKernels.sparse24.
#include "gemm/sparse_gemv.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <type_traits>

namespace {

using p4j::DECODE_CHUNK;
using p4j::DECODE_ROWS_PER_WARP;
using p4j::DECODE_THREADS;
using p4j::DECODE_WARPS;

template <typename T>
__device__ __forceinline__ T narrow(float v);
template <>
__device__ __forceinline__ __half narrow<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 narrow<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// D += A * B on the sparse tensor cores, sparsity selector SEL (which lanes' E is read).
template <typename T, int SEL>
__device__ __forceinline__ void mma_sp(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[4], uint32_t e) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    if constexpr (std::is_same_v<T, __half>) {
        asm volatile(
            "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, "
            "{%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, %13;\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e),
              "n"(SEL));
    } else {
        asm volatile(
            "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, "
            "{%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, %13;\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e),
              "n"(SEL));
    }
#else
    // sm_80 is the lowest architecture this library is built for.
    __trap();
#endif
}

constexpr uint32_t ZERO_GROUPS_META = 0x44444444u;  // nibble 0x4 (positions 0, 1) for groups past the weight

struct Params {
    const uint16_t* values;  // [rows, cols/2]
    const uint8_t* meta;     // [rows, ceil(cols/8)]
    const uint16_t* x;       // [tokens, cols]
    const float* bias;       // [rows] or NULL
    void* y;                 // [tokens, rows]
    float* partials;         // [splits, tokens, rows] when splits > 1
    unsigned* counters;      // [row_blocks], zero between launches
    int64_t rows, cols, chunks;
    int tokens, rb, kw, splits, slice_chunks, xs_stride;
};

// One row's 8 value words (groups 8j..8j+7 of the chunk) and 16 metadata bytes of a chunk.
// FULL: cols % 128 == 0, so every load is a whole, aligned 16 bytes.
template <bool FULL>
__device__ __forceinline__ void load_values(const Params& p, int64_t row, int64_t chunk, int j, uint32_t (&v)[8]) {
    if (row >= p.rows) {
#pragma unroll
        for (int w = 0; w < 8; w++) v[w] = 0;
        return;
    }
    const uint16_t* base = p.values + row * (p.cols / 2) + chunk * (DECODE_CHUNK / 2) + 16 * j;
    if constexpr (FULL) {
        const uint4 lo = __ldg(reinterpret_cast<const uint4*>(base));
        const uint4 hi = __ldg(reinterpret_cast<const uint4*>(base) + 1);
        v[0] = lo.x; v[1] = lo.y; v[2] = lo.z; v[3] = lo.w;
        v[4] = hi.x; v[5] = hi.y; v[6] = hi.z; v[7] = hi.w;
    } else {
        const int64_t group0 = chunk * (DECODE_CHUNK / 4) + 8 * j;
#pragma unroll
        for (int w = 0; w < 8; w++) {
            v[w] = (group0 + w) * 4 < p.cols ? __ldg(reinterpret_cast<const uint32_t*>(base) + w) : 0u;
        }
    }
}

template <bool FULL>
__device__ __forceinline__ void load_meta(const Params& p, int64_t row, int64_t chunk, uint32_t (&m)[4]) {
    if (row >= p.rows) {
#pragma unroll
        for (int w = 0; w < 4; w++) m[w] = ZERO_GROUPS_META;
        return;
    }
    const int64_t row_bytes = (p.cols + 7) / 8;
    const uint8_t* base = p.meta + row * row_bytes + chunk * (DECODE_CHUNK / 8);
    if constexpr (FULL) {
        const uint4 q = __ldg(reinterpret_cast<const uint4*>(base));
        m[0] = q.x; m[1] = q.y; m[2] = q.z; m[3] = q.w;
    } else {
        const int64_t byte0 = chunk * (DECODE_CHUNK / 8);
#pragma unroll
        for (int w = 0; w < 4; w++) {
            uint32_t word = 0;
#pragma unroll
            for (int b = 0; b < 4; b++) {
                const int64_t byte = byte0 + 4 * w + b;
                const uint32_t v = byte < row_bytes ? __ldg(base + 4 * w + b) : 0x44u;
                word |= v << (8 * b);
            }
            m[w] = word;
        }
    }
}

// Copies x[:, chunk0 * 128 .. + n_chunks * 128) into shared memory in the mma order, zeros past cols.
__device__ __forceinline__ void stage_x(const Params& p, int64_t chunk0, int n_chunks, uint16_t* xs) {
    const int pairs = n_chunks * (DECODE_CHUNK / 2);
    const int total = p.tokens * pairs;
    for (int i = threadIdx.x; i < total; i += DECODE_THREADS) {
        const int t = i / pairs, pair = i % pairs;
        const int64_t col = chunk0 * DECODE_CHUNK + 2 * pair;
        const uint32_t v = col < p.cols ? __ldg(reinterpret_cast<const uint32_t*>(p.x + int64_t(t) * p.cols + col)) : 0u;
        const int local = 2 * pair;
        const int offset = (local / DECODE_CHUNK) * DECODE_CHUNK + p4j::decode_xs_offset(local % DECODE_CHUNK);
        *reinterpret_cast<uint32_t*>(xs + t * p.xs_stride + offset) = v;
    }
}

// grid (row_blocks, splits), DECODE_THREADS threads; NT token tiles of 8 (tokens <= 8 * NT).
template <typename T, int NT, bool FULL>
__global__ void __launch_bounds__(DECODE_THREADS, p4j::DECODE_BLOCKS_PER_SM) decode_kernel(Params p) {
    extern __shared__ uint4 smem_words[];
    uint16_t* xs = reinterpret_cast<uint16_t*>(smem_words);
    float* red = reinterpret_cast<float*>(smem_words);
    __shared__ bool last_block;

    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int g = lane / 4, j = lane % 4;
    const int rg = warp % p.rb, kg = warp / p.rb;
    const int block_rows = DECODE_ROWS_PER_WARP * p.rb;
    const int64_t row0 = int64_t(blockIdx.x) * block_rows + rg * DECODE_ROWS_PER_WARP;
    int64_t c_begin, c_end;
    p4j::split_range(p.chunks, p.splits, blockIdx.y, &c_begin, &c_end);

    float acc[2][NT][4];
#pragma unroll
    for (int mt = 0; mt < 2; mt++)
#pragma unroll
        for (int nt = 0; nt < NT; nt++)
#pragma unroll
            for (int i = 0; i < 4; i++) acc[mt][nt][i] = 0.0f;

    // Metadata rows of this lane: its E register serves tile j / 2, rows g and g + 8.
    const int64_t meta_row = row0 + 16 * (j / 2) + g;
    for (int64_t s0 = c_begin; s0 < c_end; s0 += p.slice_chunks) {
        const int n_chunks = int(c_end - s0 < p.slice_chunks ? c_end - s0 : p.slice_chunks);
        __syncthreads();  // the previous slice is consumed
        stage_x(p, s0, n_chunks, xs);
        __syncthreads();
        for (int lc = kg; lc < n_chunks; lc += p.kw) {
            const int64_t chunk = s0 + lc;
            uint32_t v[2][2][8];
            uint32_t m_lo[4], m_hi[4];
#pragma unroll
            for (int mt = 0; mt < 2; mt++)
#pragma unroll
                for (int hr = 0; hr < 2; hr++) load_values<FULL>(p, row0 + 16 * mt + 8 * hr + g, chunk, j, v[mt][hr]);
            load_meta<FULL>(p, meta_row, chunk, m_lo);
            load_meta<FULL>(p, meta_row + 8, chunk, m_hi);
            const uint16_t* xc = xs + lc * DECODE_CHUNK + 8 * j;
#pragma unroll
            for (int ks = 0; ks < 4; ks++) {
                uint32_t b[NT][4];
#pragma unroll
                for (int nt = 0; nt < NT; nt++) {
                    const int n = 8 * nt + g;
                    if (n < p.tokens) {
                        const uint4 q = *reinterpret_cast<const uint4*>(xc + n * p.xs_stride + ks * 32);
                        b[nt][0] = q.x; b[nt][1] = q.y; b[nt][2] = q.z; b[nt][3] = q.w;
                    } else {
                        b[nt][0] = b[nt][1] = b[nt][2] = b[nt][3] = 0u;
                    }
                }
                const uint32_t e = p4j::decode_e_word(m_lo, m_hi, ks, j);
#pragma unroll
                for (int mt = 0; mt < 2; mt++) {
                    const uint32_t a[4] = {v[mt][0][2 * ks], v[mt][1][2 * ks], v[mt][0][2 * ks + 1], v[mt][1][2 * ks + 1]};
#pragma unroll
                    for (int nt = 0; nt < NT; nt++) {
                        if (mt == 0) {
                            mma_sp<T, 0>(acc[mt][nt], a, b[nt], e);
                        } else {
                            mma_sp<T, 1>(acc[mt][nt], a, b[nt], e);
                        }
                    }
                }
            }
        }
    }

    // Column groups add up in shared memory: red[kg][row in block][token].
    __syncthreads();
#pragma unroll
    for (int mt = 0; mt < 2; mt++)
#pragma unroll
        for (int nt = 0; nt < NT; nt++)
#pragma unroll
            for (int i = 0; i < 4; i++) {
                const int r = rg * DECODE_ROWS_PER_WARP + 16 * mt + g + 8 * (i / 2);
                const int t = 8 * nt + 2 * j + (i % 2);
                if (t < p.tokens) red[(kg * block_rows + r) * p4j::DECODE_MAX_TOKENS + t] = acc[mt][nt][i];
            }
    __syncthreads();
    const int64_t block_row0 = int64_t(blockIdx.x) * block_rows;
    const int outputs = p.tokens * block_rows;
    T* y = static_cast<T*>(p.y);
    for (int i = threadIdx.x; i < outputs; i += DECODE_THREADS) {
        const int t = i / block_rows, r = i % block_rows;
        const int64_t row = block_row0 + r;
        if (row >= p.rows) continue;
        float sum = 0.0f;
        for (int k = 0; k < p.kw; k++) sum += red[(k * block_rows + r) * p4j::DECODE_MAX_TOKENS + t];
        if (p.splits == 1) {
            y[int64_t(t) * p.rows + row] = narrow<T>(sum + (p.bias != nullptr ? p.bias[row] : 0.0f));
        } else {
            p.partials[(int64_t(blockIdx.y) * p.tokens + t) * p.rows + row] = sum;
        }
    }
    if (p.splits == 1) return;

    // The last block of this row block to finish adds the splits' partials in split order.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) {
        const unsigned done = atomicAdd(&p.counters[blockIdx.x], 1u);
        last_block = done == unsigned(p.splits - 1);
    }
    __syncthreads();
    if (!last_block) return;
    __threadfence();
    for (int i = threadIdx.x; i < outputs; i += DECODE_THREADS) {
        const int t = i / block_rows, r = i % block_rows;
        const int64_t row = block_row0 + r;
        if (row >= p.rows) continue;
        float sum = 0.0f;
        for (int s = 0; s < p.splits; s++) sum += __ldcg(&p.partials[(int64_t(s) * p.tokens + t) * p.rows + row]);
        y[int64_t(t) * p.rows + row] = narrow<T>(sum + (p.bias != nullptr ? p.bias[row] : 0.0f));
    }
    if (threadIdx.x == 0) p.counters[blockIdx.x] = 0;  // ready for the next launch
}

template <typename T, int NT, bool FULL>
void launch(const Params& p, const p4j::DecodeConfig& c, cudaStream_t stream) {
    dim3 grid(unsigned(c.row_blocks), unsigned(c.splits));
    decode_kernel<T, NT, FULL><<<grid, DECODE_THREADS, c.smem_bytes, stream>>>(p);
}

template <typename T>
void launch_dtype(const Params& p, const p4j::DecodeConfig& c, bool full, cudaStream_t stream) {
    if (c.nt == 1) {
        full ? launch<T, 1, true>(p, c, stream) : launch<T, 1, false>(p, c, stream);
    } else {
        full ? launch<T, 2, true>(p, c, stream) : launch<T, 2, false>(p, c, stream);
    }
}

}  // namespace

namespace p4j {

DecodeScratch decode_scratch_needed(int64_t rows, int64_t cols, int tokens, int sm_count) {
    const DecodeConfig c = decode_config(rows, cols, tokens, sm_count);
    DecodeScratch s{};
    if (c.splits > 1) {
        s.partial_bytes = size_t(c.splits) * size_t(tokens) * size_t(rows) * sizeof(float);
        s.counter_bytes = size_t(c.row_blocks) * sizeof(unsigned);
    }
    return s;
}

int sparse24_gemv(const DecodeRun& r) {
    if (r.tokens < 1 || r.tokens > DECODE_MAX_TOKENS || r.cols % 4 != 0 || r.rows < 1 || r.cols < 4) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "decode kernel: %d tokens (1..%d), weight [%lld, %lld] (in a multiple of 4)",
                    r.tokens, DECODE_MAX_TOKENS, (long long)r.rows, (long long)r.cols);
    }
    if (r.dtype != P4J_DTYPE_F16 && r.dtype != P4J_DTYPE_BF16) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "decode kernel: dtype code %d is not F16 or BF16", r.dtype);
    }
    const DecodeConfig c = decode_config(r.rows, r.cols, r.tokens, r.sm_count);
    if (c.splits > 1 && (r.partials == nullptr || r.counters == nullptr || r.partial_bytes < decode_scratch_needed(
            r.rows, r.cols, r.tokens, r.sm_count).partial_bytes)) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "decode kernel: split input dimension without partial-sum scratch");
    }
    Params p{static_cast<const uint16_t*>(r.values), r.meta, static_cast<const uint16_t*>(r.x), r.bias, r.y,
             r.partials, r.counters, r.rows, r.cols, c.chunks, r.tokens, c.rb, c.kw, c.splits, c.slice_chunks,
             c.xs_stride};
    const bool full = r.cols % DECODE_CHUNK == 0;
    if (r.dtype == P4J_DTYPE_F16) {
        launch_dtype<__half>(p, c, full, r.stream);
    } else {
        launch_dtype<__nv_bfloat16>(p, c, full, r.stream);
    }
    P4J_CUDA(cudaGetLastError(), "decode kernel launch");
    return P4J_OK;
}

}  // namespace p4j
