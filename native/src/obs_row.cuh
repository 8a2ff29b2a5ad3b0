// The per-row work of SparseGPT's OBS step on one block of columns (CpuKernels.obsBlock,
// ObsBlock.chunk), written once for the device kernels (obs_block.cu) and the host test:
//
//   for each column i of the block, in order:
//     (N:M) at the start of each group of M columns, keep the N largest w^2 / d^2 of the group
//           (equal scores keep the lower column), d = Hinv[i][i];
//     q = kept ? w[i] : 0;  e = (w[i] - q) / d;  err[i] = e;  w[i] = q;
//     w[j] -= e * Hinv[i][j] for the later columns j of the block.
//
// Every product and difference is rounded on its own (mul_rn, sub_rn), in the same order per
// element as the Java twin, so a row comes out bit-identical to the CPU engine's for the same
// inputs. Storage is abstracted by small policies: the register kernel holds a row in registers
// (RegRow) and the inverse factor's block packed in shared memory (PackedHb); the generic kernel
// and the host test use plain pointers (PtrRow, DenseHb).
#pragma once

#include "float_bits.cuh"
#include "mask_bits.cuh"

#include <cstdint>
#include <utility>

#ifdef __CUDA_ARCH__
#define P4J_UNROLL _Pragma("unroll")
#else
#define P4J_UNROLL
#endif

namespace p4j {

// Columns per row the register kernel holds; narrower blocks are padded (obs_hb_value).
constexpr int OBS_WIDTH = 128;
// Row stride of a warp's staging tile [OBS_WIDTH columns][32 rows]: 33 keeps both the row-wise
// (coalesced global) and the column-wise (one row per thread) accesses free of bank conflicts.
constexpr int OBS_STAGE_STRIDE = 33;
constexpr int OBS_STAGE_FLOATS = OBS_WIDTH * OBS_STAGE_STRIDE;

// SparseGPT's saliency w^2 / d^2 (CpuKernels.obsScores, ObsBlock.chooseNm: (w * w) / (d * d)).
__host__ __device__ inline float obs_score(float w, float d) { return div_rn(mul_rn(w, w), mul_rn(d, d)); }

// ---- the inverse factor's block in shared memory: its upper triangle, row i from column
// (i & ~3) on, so that each row starts 16-byte aligned and a row's later columns load as float4
// (8448 floats, 33 KiB, instead of 64 KiB for the square). ----

__host__ __device__ constexpr int obs_hb_first(int i) { return i & ~3; }

// Start of row i: sum over k < i of (OBS_WIDTH - (k & ~3)).
__host__ __device__ constexpr int obs_hb_offset(int i) {
    const int q = i >> 2;
    const int r = i & 3;
    return OBS_WIDTH * i - 8 * q * (q - 1) - 4 * q * r;
}

constexpr int OBS_HB_FLOATS = obs_hb_offset(OBS_WIDTH);
static_assert(OBS_HB_FLOATS == 8448, "packed upper triangle of a 128-wide block");
static_assert(OBS_HB_FLOATS % 4 == 0 && OBS_STAGE_FLOATS % 4 == 0, "float4-aligned shared memory regions");

// Element (i, j) of the padded OBS_WIDTH-wide block of hinv [cols, cols] at column from with width
// real columns: the inverse factor inside (upper triangle; zero below), the identity outside. With
// the identity padding a padded column has w = 0 and e = 0, and it only ever updates later padded
// columns, so the real columns come out exactly as in a block of their own width.
__host__ __device__ inline float obs_hb_value(const float* hinv, int64_t cols, int64_t from, int width, int i, int j) {
    if (i < width && j < width) {
        return j >= i ? hinv[(from + i) * cols + from + j] : 0.0f;
    }
    return i == j ? 1.0f : 0.0f;
}

struct PackedHb {
    const float* p;
    __host__ __device__ float diag(int i) const { return p[obs_hb_offset(i) + (i & 3)]; }
    __host__ __device__ float at(int i, int j) const { return p[obs_hb_offset(i) + j - obs_hb_first(i)]; }
    // Columns 4 * j4 .. 4 * j4 + 3 of row i (4 * j4 >= obs_hb_first(i)).
    __host__ __device__ void row4(int i, int j4, float (&h)[4]) const {
        const float* q = p + obs_hb_offset(i) + 4 * j4 - obs_hb_first(i);
#ifdef __CUDA_ARCH__
        const float4 v = *reinterpret_cast<const float4*>(q);
        h[0] = v.x;
        h[1] = v.y;
        h[2] = v.z;
        h[3] = v.w;
#else
        for (int c = 0; c < 4; c++) h[c] = q[c];
#endif
    }
};

// A row-major block with leading dimension ld (hinv at (from, from), or a host array).
struct DenseHb {
    const float* p;
    int64_t ld;
    __host__ __device__ float diag(int i) const { return p[i * ld + i]; }
    __host__ __device__ float at(int i, int j) const { return p[i * ld + j]; }
    __host__ __device__ void row4(int i, int j4, float (&h)[4]) const {
        for (int c = 0; c < 4; c++) h[c] = p[i * ld + 4 * j4 + c];
    }
};

template <int WIDTH>
struct RegRow {
    float v[WIDTH];
    __host__ __device__ float get(int j) const { return v[j]; }
    __host__ __device__ void set(int j, float x) { v[j] = x; }
};

struct PtrRow {
    float* p;
    __host__ __device__ float get(int j) const { return p[j]; }
    __host__ __device__ void set(int j, float x) { p[j] = x; }
};

template <int WIDTH>
struct RegKeep {
    uint32_t bits[(WIDTH + 31) / 32];
    __host__ __device__ bool get(int j) const { return ((bits[j >> 5] >> (j & 31)) & 1u) != 0; }
    __host__ __device__ void set(int j, bool keep) {
        const uint32_t bit = 1u << (j & 31);
        bits[j >> 5] = keep ? (bits[j >> 5] | bit) : (bits[j >> 5] & ~bit);
    }
};

// The block mask in memory, row bits starting at bit offset. On the device, rows share words with
// other threads' rows: writes are atomic, and reads go through an atomic too so that a thread sees
// its own earlier atomic writes (a plain load may hit a stale L1 line).
struct WordsKeep {
    uint64_t* words;
    uint64_t offset;
    __host__ __device__ bool get(int j) const {
        const uint64_t i = offset + static_cast<uint64_t>(j);
#ifdef __CUDA_ARCH__
        const uint64_t w = atomicOr(reinterpret_cast<unsigned long long*>(words) + (i >> 6), 0ull);
#else
        const uint64_t w = words[i >> 6];
#endif
        return ((w >> (i & 63)) & 1u) != 0;
    }
    __host__ __device__ void set(int j, bool keep) {
        const uint64_t i = offset + static_cast<uint64_t>(j);
        const uint64_t bit = uint64_t{1} << (i & 63);
#ifdef __CUDA_ARCH__
        auto* word = reinterpret_cast<unsigned long long*>(words) + (i >> 6);
        if (keep) {
            atomicOr(word, static_cast<unsigned long long>(bit));
        } else {
            atomicAnd(word, ~static_cast<unsigned long long>(bit));
        }
#else
        words[i >> 6] = keep ? (words[i >> 6] | bit) : (words[i >> 6] & ~bit);
#endif
    }
};

struct PtrErr {
    float* p;
    __host__ __device__ void put(int j, float e) { p[j] = e; }
};

// A thread's column of a warp's staging tile: element j at p[j * OBS_STAGE_STRIDE].
struct StageErr {
    float* p;
    __host__ __device__ void put(int j, float e) { p[j * OBS_STAGE_STRIDE] = e; }
};

// N:M choice for the group of M columns starting at i (M known at compile time).
template <int M, class Row, class Hb, class Keep>
__host__ __device__ __forceinline__ void obs_choose_static(const Row& w, const Hb& hb, Keep& keep, int i, int n) {
    float s[M];
    P4J_UNROLL
    for (int a = 0; a < M; a++) s[a] = obs_score(w.get(i + a), hb.diag(i + a));
    P4J_UNROLL
    for (int a = 0; a < M; a++) {
        int larger = 0;
        P4J_UNROLL
        for (int b = 0; b < M; b++) {
            if (b != a && (s[b] > s[a] || (s[b] == s[a] && b < a))) larger++;
        }
        keep.set(i + a, larger < n);
    }
}

// The same for a group size m known only at run time (the generic kernel and the host reference).
template <class Row, class Hb, class Keep>
__host__ __device__ inline void obs_choose_runtime(const Row& w, const Hb& hb, Keep& keep, int i, int n, int m) {
    for (int a = 0; a < m; a++) {
        const float sa = obs_score(w.get(i + a), hb.diag(i + a));
        int larger = 0;
        for (int b = 0; b < m; b++) {
            if (b == a) continue;
            const float sb = obs_score(w.get(i + b), hb.diag(i + b));
            if (sb > sa || (sb == sa && b < a)) larger++;
        }
        keep.set(i + a, larger < n);
    }
}

// Column I of the register form: compile-time I, so every register index below is a constant
// (a fold over the columns rather than a loop the compiler might not unroll fully).
template <int WIDTH, int M, int I, class Row, class Hb, class Keep, class Err>
__host__ __device__ __forceinline__ void obs_column_static(Row& w, const Hb& hb, Keep& keep, int nm_n, int nm_m,
                                                           Err& err) {
    if constexpr (M > 0) {
        if constexpr (I % M == 0) obs_choose_static<M>(w, hb, keep, I, nm_n);
    } else if constexpr (M < 0) {
        if (nm_m > 0 && I % nm_m == 0) obs_choose_runtime(w, hb, keep, I, nm_n, nm_m);
    }
    const float d = hb.diag(I);
    const float v = w.get(I);
    const float q = keep.get(I) ? v : 0.0f;
    const float e = div_rn(sub_rn(v, q), d);
    err.put(I, e);
    w.set(I, q);
    P4J_UNROLL
    for (int j4 = (I + 1) / 4; j4 < WIDTH / 4; j4++) {
        float h[4];
        hb.row4(I, j4, h);
        P4J_UNROLL
        for (int c = 0; c < 4; c++) {
            const int j = 4 * j4 + c;
            if (j > I) w.set(j, sub_rn(w.get(j), mul_rn(e, h[c])));
        }
    }
}

template <int WIDTH, int M, class Row, class Hb, class Keep, class Err, int... I>
__host__ __device__ __forceinline__ void obs_columns_static(Row& w, const Hb& hb, Keep& keep, int nm_n, int nm_m,
                                                            Err& err, std::integer_sequence<int, I...>) {
    (obs_column_static<WIDTH, M, I>(w, hb, keep, nm_n, nm_m, err), ...);
}

// One row of the OBS step over the block's columns.
//  WIDTH > 0: the register form: WIDTH (a multiple of 4) columns, every index a compile-time
//             constant, the block padded as obs_hb_value describes; width is ignored.
//  WIDTH == 0: width columns, plain loops.
//  M > 0: N:M with groups of M (nm_m ignored); M == 0: unstructured, keep read; M < 0: nm_m at run
//         time (0: unstructured).
// Unstructured: keep says which columns stay. N:M: keep gets the choice.
template <int WIDTH, int M, class Row, class Hb, class Keep, class Err>
__host__ __device__ __forceinline__ void obs_row(Row& w, const Hb& hb, Keep& keep, int width, int nm_n, int nm_m,
                                                 Err& err) {
    if constexpr (WIDTH > 0) {
        static_assert(WIDTH % 4 == 0, "the register form loads the factor's rows in fours");
        static_assert(M <= 0 || WIDTH % M == 0, "groups must tile the block");
        obs_columns_static<WIDTH, M>(w, hb, keep, nm_n, nm_m, err, std::make_integer_sequence<int, WIDTH>{});
    } else {
        const int m = M > 0 ? M : M == 0 ? 0 : nm_m;
        for (int i = 0; i < width; i++) {
            if (m > 0 && i % m == 0) obs_choose_runtime(w, hb, keep, i, nm_n, m);
            const float d = hb.diag(i);
            const float v = w.get(i);
            const float q = keep.get(i) ? v : 0.0f;
            const float e = div_rn(sub_rn(v, q), d);
            err.put(i, e);
            w.set(i, q);
            for (int j = i + 1; j < width; j++) w.set(j, sub_rn(w.get(j), mul_rn(e, hb.at(i, j))));
        }
    }
}

// Bits [offset, offset + width) of a block mask as OBS_WIDTH keep bits of a row, padded with ones
// (a padded column is kept: e = 0). width <= OBS_WIDTH.
__host__ __device__ inline void obs_load_row_keep(const uint64_t* words, uint64_t offset, int width,
                                                  uint32_t (&bits)[OBS_WIDTH / 32]) {
    for (int k = 0; k < OBS_WIDTH / 64; k++) {
        int count = width - 64 * k;
        count = count < 0 ? 0 : count > 64 ? 64 : count;
        uint64_t v = extract_bits(words, offset + 64 * static_cast<uint64_t>(k), count);
        if (count < 64) v |= ~uint64_t{0} << count;
        bits[2 * k] = static_cast<uint32_t>(v);
        bits[2 * k + 1] = static_cast<uint32_t>(v >> 32);
    }
}

}  // namespace p4j
