// Index, tiling, split and padding arithmetic of the GEMM plans and the decode kernel, kept apart
// from the kernels as __host__ __device__ functions so that native/test/host_logic_test.cu checks
// the very code the kernels run, exhaustively on small shapes, against plain loops.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define P4J_HD __host__ __device__ inline
#else
#define P4J_HD inline
#endif

namespace p4j {

P4J_HD int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

P4J_HD int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ---- token buckets: one cached backend choice (and one initialized CUTLASS GEMM) per bucket ----

constexpr int TOKEN_BUCKETS = 16;

// 1 -> 0, 2 -> 1, 3..4 -> 2, 5..8 -> 3, ..., 2^13+1..2^14 -> 14, anything larger -> 15.
P4J_HD int token_bucket(int64_t tokens) {
    int b = 0;
    while (b < TOKEN_BUCKETS - 1 && (int64_t(1) << b) < tokens) b++;
    return b;
}

// Part `part` of `parts` balanced pieces of [0, n): sizes differ by at most one, in order.
P4J_HD void split_range(int64_t n, int64_t parts, int64_t part, int64_t* begin, int64_t* end) {
    *begin = n * part / parts;
    *end = n * (part + 1) / parts;
}

// ---- decode kernel (sparse_gemv.cu): geometry ----
//
// The kernel runs the 2:4 weight through the sparse tensor cores (mma.sp m16n8k32, F32
// accumulation) with the tokens as the N dimension, so its arithmetic is free and it is bound by
// the weight's bytes at every token count up to 16. A warp owns 32 rows (two m16 tiles) of one
// "chunk" of 128 input columns at a time; a block of 8 warps is rb row groups x kw column groups
// (rb * kw = 8) and covers the chunks of one split of the input dimension; splits > 1 (narrow
// layers such as LLaMA-2 70B k/v, 1024 rows) write F32 partial sums that the last block of each
// row block adds up in a fixed order (deterministic, no atomics on the data).
constexpr int DECODE_WARPS = 8;
constexpr int DECODE_THREADS = DECODE_WARPS * 32;
constexpr int DECODE_ROWS_PER_WARP = 32;
constexpr int DECODE_CHUNK = 128;               // input columns per chunk (4 mma k-steps of 32)
constexpr int DECODE_X_HALVES = 16384;          // x slice budget in shared memory: 32 KiB
constexpr int DECODE_X_PAD = 32;                // halves after each token row: rows 64 B apart mod 128
constexpr int DECODE_BLOCKS_PER_SM = 2;         // __launch_bounds__: <= 128 registers, no spills
constexpr int64_t DECODE_PARTIAL_CAP = 1 << 17; // splits * rows bound: partials <= 8 MiB at 16 tokens
constexpr int DECODE_MAX_TOKENS = 16;

struct DecodeConfig {
    int rb;              // row groups of 32 rows per block
    int kw;              // column groups per block (DECODE_WARPS / rb)
    int splits;          // blocks along the input dimension
    int slice_chunks;    // chunks of x staged in shared memory at a time
    int nt;              // n8 token tiles: 1 (1..8 tokens) or 2 (9..16)
    int64_t row_blocks;  // blocks along the output dimension
    int64_t chunks;      // ceil(cols / 128)
    int xs_stride;       // halves between token rows in shared memory
    int smem_bytes;      // dynamic shared memory of a block
};

// The x slice a block stages at a time, in chunks, for `tokens` rows.
P4J_HD int decode_slice_cap(int tokens) {
    int cap = DECODE_X_HALVES / (tokens * DECODE_CHUNK);
    return cap < 1 ? 1 : cap;
}

// Picks the block shape for a weight [rows, cols] at `tokens` tokens on sm_count SMs by a byte
// model: the weight's bytes, stretched when too few blocks keep the memory system busy
// (DECODE_BLOCKS_PER_SM blocks of 8 warps per SM taken as enough), plus the F32 partial sums of a split input dimension
// (written and read once) plus x re-read from L2 by every block (weighted 1/4). Splits keep at
// least kw chunks each (a chunk for every warp) and splits * rows within DECODE_PARTIAL_CAP.
P4J_HD DecodeConfig decode_config(int64_t rows, int64_t cols, int tokens, int sm_count) {
    DecodeConfig c{};
    c.chunks = ceil_div(cols, DECODE_CHUNK);
    c.nt = tokens > 8 ? 2 : 1;
    const double full = double(DECODE_BLOCKS_PER_SM) * (sm_count < 1 ? 1 : sm_count);
    const double weight_bytes = double(rows) * double(c.chunks) * DECODE_CHUNK * 9.0 / 8.0;
    double best = -1.0;
    for (int rb = DECODE_WARPS; rb >= 1; rb /= 2) {
        const int kw = DECODE_WARPS / rb;
        const int64_t row_blocks = ceil_div(rows, int64_t(DECODE_ROWS_PER_WARP) * rb);
        int64_t max_splits = c.chunks / kw;
        const int64_t cap = DECODE_PARTIAL_CAP / (rows < 1 ? 1 : rows);
        if (max_splits > cap) max_splits = cap;
        if (max_splits < 1) max_splits = 1;
        // Powers of two, and max_splits itself.
        for (int64_t step = 1;; step *= 2) {
            const int64_t splits = step < max_splits ? step : max_splits;
            const double blocks = double(row_blocks) * double(splits);
            const double util = blocks >= full ? 1.0 : blocks / full;
            const double partial = splits > 1 ? 2.0 * double(splits) * double(rows) * tokens * 4.0 : 0.0;
            const double x_l2 = blocks * tokens * 2.0 * double(ceil_div(c.chunks, splits)) * DECODE_CHUNK / 4.0;
            const double cost = weight_bytes / util + partial + x_l2;
            if (best < 0 || cost < best) {
                best = cost;
                c.rb = rb;
                c.kw = kw;
                c.splits = int(splits);
                c.row_blocks = row_blocks;
            }
            if (splits == max_splits) break;
        }
    }
    const int64_t per_split = ceil_div(c.chunks, c.splits);
    const int cap = decode_slice_cap(tokens);
    c.slice_chunks = int(per_split < cap ? per_split : cap);
    c.xs_stride = c.slice_chunks * DECODE_CHUNK + DECODE_X_PAD;
    const int x_bytes = tokens * c.xs_stride * 2;
    const int red_bytes = DECODE_WARPS * DECODE_ROWS_PER_WARP * DECODE_MAX_TOKENS * 4;
    c.smem_bytes = x_bytes > red_bytes ? x_bytes : red_bytes;
    return c;
}

// ---- decode kernel: which data each lane holds ----
//
// The sum over the input dimension may visit columns in any order as long as the weight (mma A)
// and x (mma B) agree. Within a chunk the kernel uses the order that gives each lane contiguous
// loads: lane j of a quad holds groups 8j..8j+7 of each of its rows (two 16-byte loads), and mma
// k-step ks (0..3) takes, as its group slot s = j + 4h, the group 8j + 2ks + h. x is staged in
// shared memory in that order, so a lane's four B registers of a k-step are one 16-byte load.

// The group (0..31 within the chunk) of mma slot s (0..7) in k-step ks (0..3).
P4J_HD int decode_slot_group(int ks, int s) { return 8 * (s % 4) + 2 * ks + s / 4; }

// Where column c (0..127 within a chunk) of a token row of x goes in shared memory (0..127 within
// the chunk's slice of that row): k-step ks, B register q = kk / 8 of lane jb = (kk % 8) / 2, half
// kk % 2, for the mma k index kk = 4 s + (c % 4) of c's group slot s.
P4J_HD int decode_xs_offset(int c) {
    const int group = c / 4, w = c % 4;
    const int j = group / 8, rem = group % 8;
    const int ks = rem / 2, h = rem % 2;
    const int kk = 4 * (j + 4 * h) + w;
    return ks * 32 + 8 * ((kk % 8) / 2) + 2 * (kk / 8) + (kk % 2);
}

// The 16 metadata bits of slots 4h..4h+3 of k-step ks for one row, from that row's 16 metadata
// bytes of the chunk as four little-endian words m[0..3]: slot j + 4h is group 8j + 2ks + h, whose
// nibble is nibble h of byte 4j + ks, i.e. of byte ks of word j.
P4J_HD uint32_t decode_e_half(const uint32_t (&m)[4], int ks, int h) {
    const int shift = 8 * ks + 4 * h;
    return ((m[0] >> shift) & 0xFu) | (((m[1] >> shift) & 0xFu) << 4) | (((m[2] >> shift) & 0xFu) << 8) |
           (((m[3] >> shift) & 0xFu) << 12);
}

// The metadata register a lane passes to mma.sp for k-step ks: lanes j = 0, 1 of a quad (sparsity
// selector 0, the warp's first m16 tile) and j = 2, 3 (selector 1, second tile) each give the
// slots 4 (j % 2) .. 4 (j % 2) + 3 of rows g (low half) and g + 8 (high half) of their tile.
P4J_HD uint32_t decode_e_word(const uint32_t (&row_lo)[4], const uint32_t (&row_hi)[4], int ks, int j) {
    return decode_e_half(row_lo, ks, j % 2) | (decode_e_half(row_hi, ks, j % 2) << 16);
}

// ---- decode/GEMM crossover ----

// From per-token-count times (index t - 1 for t = 1..n) of the decode kernel and of the best
// tensor-core GEMM, the largest t such that the decode kernel was faster at every count up to t
// (0 when it never was). A missing time (< 0) ends the run.
P4J_HD int decode_crossover(const float* decode_ms, const float* gemm_ms, int n) {
    int t = 0;
    while (t < n && decode_ms[t] >= 0 && (gemm_ms[t] < 0 || decode_ms[t] < gemm_ms[t])) t++;
    return t;
}

// ---- CUTLASS 2 (sm_80) metadata: canonical words -> the reordered layout its ldmatrix expects ----

// Where CUTLASS's host reorder_meta (tools/util/include/cutlass/util/host_reorder.h, 16-bit
// ElementE: row groups of 32, interweave 4, then 2x2 blocks swizzled from Z to N) puts word
// (row, col) of the canonical [m, kw] words, as an offset into the packed ColumnMajorInterleaved<2>
// tensor of m rows.
P4J_HD uint64_t sm80_reordered_offset(int64_t row, int64_t col, int64_t m) {
    int64_t dest_row = row / 32 * 32 + (row % 8) * 4 + (row % 32) / 8;
    int64_t dest_col = col;
    if (dest_row % 2 == 0 && dest_col % 2 == 1) {
        ++dest_row;
        --dest_col;
    } else if (dest_row % 2 == 1 && dest_col % 2 == 0) {
        --dest_row;
        ++dest_col;
    }
    return uint64_t(dest_col / 2) * uint64_t(2 * m) + uint64_t(dest_row) * 2 + uint64_t(dest_col % 2);
}

// ---- canonical 2:4 form (dev.prune4j.sparse.Sparse24) ----

// The dense column (0..3 within group g) of value v (0, 1) of a group with nibble n.
P4J_HD int sparse24_position(int nibble, int v) { return v == 0 ? (nibble & 3) : ((nibble >> 2) & 3); }

// The nibble of group g of a row from that row's metadata bytes.
P4J_HD int sparse24_nibble(const uint8_t* meta_row, int64_t g) { return (meta_row[g / 2] >> ((g & 1) * 4)) & 0xF; }

}  // namespace p4j
