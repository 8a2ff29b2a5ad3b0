// Host checks of gemm/gemm_math.cuh: token buckets, balanced splits, the decode kernel's block
// geometry and per-lane data (run through a plain-C++ model of the sparse tensor core instruction
// and compared with a dense reference on small shapes), and the CUTLASS sm_80 metadata layout
// against CUTLASS's own host reorder_meta. Included by host_logic_test.cu.
#pragma once

#include "gemm/gemm_math.cuh"

#include "cutlass/gemm/gemm.h"
#include "cutlass/layout/matrix.h"
#include "cutlass/tensor_ref.h"
#include "cutlass/util/host_reorder.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace gemm_math_test {

using Expect = void (*)(bool ok, const char* what, unsigned long long a, unsigned long long b);

struct Rng {
    uint64_t s;
    uint32_t next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return uint32_t(s >> 33);
    }
    int below(int n) { return int(next() % uint32_t(n)); }
};

void buckets_and_splits(Expect expect) {
    for (int64_t t = 1; t <= 40000; t++) {
        int want = 0;
        while (want < p4j::TOKEN_BUCKETS - 1 && (int64_t(1) << want) < t) want++;
        expect(p4j::token_bucket(t) == want, "token_bucket", p4j::token_bucket(t), want);
    }
    for (int64_t n = 0; n <= 130; n++) {
        for (int64_t parts = 1; parts <= 17; parts++) {
            int64_t expected_begin = 0;
            bool ok = true;
            for (int64_t part = 0; part < parts; part++) {
                int64_t b, e;
                p4j::split_range(n, parts, part, &b, &e);
                ok = ok && b == expected_begin && e >= b && e - b <= n / parts + 1 && e - b >= n / parts;
                expected_begin = e;
            }
            expect(ok && expected_begin == n, "split_range covers [0, n) in balanced order", uint64_t(n), uint64_t(parts));
        }
    }
}

// The permutation of a chunk's columns into mma order is a bijection that keeps value pairs
// adjacent, and every group feeds exactly one (k-step, slot).
void decode_permutation(Expect expect) {
    bool seen[p4j::DECODE_CHUNK] = {};
    bool bijective = true;
    for (int c = 0; c < p4j::DECODE_CHUNK; c++) {
        const int o = p4j::decode_xs_offset(c);
        bijective = bijective && o >= 0 && o < p4j::DECODE_CHUNK && !seen[o];
        if (o >= 0 && o < p4j::DECODE_CHUNK) seen[o] = true;
        if (c % 2 == 0) {
            expect(o % 2 == 0 && p4j::decode_xs_offset(c + 1) == o + 1, "x pairs stay adjacent (32-bit staging)", c, o);
        }
    }
    expect(bijective, "decode_xs_offset is a bijection of a chunk", 0, 0);
    int fed[32] = {};
    for (int ks = 0; ks < 4; ks++)
        for (int s = 0; s < 8; s++) fed[p4j::decode_slot_group(ks, s)]++;
    bool once = true;
    for (int g = 0; g < 32; g++) once = once && fed[g] == 1;
    expect(once, "each group of a chunk feeds one (k-step, slot)", 0, 0);
    // Slot s of k-step ks is held by lane s % 4 as word 2 ks + s / 4 of its groups 8j..8j+7.
    for (int ks = 0; ks < 4; ks++)
        for (int s = 0; s < 8; s++) {
            const int g = p4j::decode_slot_group(ks, s);
            expect(g / 8 == s % 4 && g % 8 == 2 * ks + s / 4, "slot group is in the holding lane's run", ks, s);
        }
    // x: column c sits where mma k index 4 s + c % 4 of its slot expects it in B register layout.
    for (int c = 0; c < p4j::DECODE_CHUNK; c++) {
        const int group = c / 4;
        int ks = -1, s = -1;
        for (int k = 0; k < 4; k++)
            for (int t = 0; t < 8; t++)
                if (p4j::decode_slot_group(k, t) == group) { ks = k; s = t; }
        const int kk = 4 * s + c % 4;
        const int expected = ks * 32 + 8 * ((kk % 8) / 2) + 2 * (kk / 8) + kk % 2;
        expect(p4j::decode_xs_offset(c) == expected, "x offset matches the slot's B position", c, expected);
    }
}

void decode_configs(Expect expect) {
    const int64_t rows_list[] = {1, 15, 16, 31, 32, 33, 100, 256, 1024, 4096, 5120, 8192, 11008, 13824, 28672};
    const int64_t cols_list[] = {4, 12, 124, 128, 132, 256, 1000, 4096, 5120, 8192, 11008, 13824, 28672};
    const int sms[] = {1, 2, 108, 132};
    for (int64_t rows : rows_list)
        for (int64_t cols : cols_list)
            for (int tokens = 1; tokens <= 16; tokens++)
                for (int sm : sms) {
                    const p4j::DecodeConfig c = p4j::decode_config(rows, cols, tokens, sm);
                    const bool ok = c.rb * c.kw == p4j::DECODE_WARPS && c.rb >= 1 && c.splits >= 1 &&
                                    (c.splits == 1 || c.splits <= c.chunks / c.kw) &&
                                    (c.splits == 1 || int64_t(c.splits) * rows <= p4j::DECODE_PARTIAL_CAP) &&
                                    c.row_blocks * c.rb * p4j::DECODE_ROWS_PER_WARP >= rows &&
                                    (c.row_blocks - 1) * c.rb * p4j::DECODE_ROWS_PER_WARP < rows &&
                                    c.chunks * p4j::DECODE_CHUNK >= cols && c.slice_chunks >= 1 &&
                                    tokens * c.slice_chunks * p4j::DECODE_CHUNK <= p4j::DECODE_X_HALVES &&
                                    c.smem_bytes <= 48 * 1024 && (c.xs_stride * 2) % 128 == 64 &&
                                    c.nt == (tokens > 8 ? 2 : 1) && c.row_blocks <= 65535 * 1024 && c.splits <= 65535;
                    expect(ok, "decode_config invariants (rows, cols)", uint64_t(rows), uint64_t(cols));
                }
    // The narrow LLaMA-2 70B k/v layer splits its input dimension on an H200 (132 SMs).
    const p4j::DecodeConfig kv = p4j::decode_config(1024, 8192, 1, 132);
    expect(kv.splits > 1, "1024 x 8192 splits the input dimension", kv.splits, 0);
    const p4j::DecodeConfig up = p4j::decode_config(28672, 8192, 16, 132);
    expect(up.row_blocks * up.splits >= 132, "28672 x 8192 fills 132 SMs", up.row_blocks * up.splits, 132);
}

// ---- a plain model of mma.sp::ordered_metadata m16n8k32 (F32 accumulate) as the PTX ISA and
// CUTLASS's sm_80 operand layouts describe it; values are floats, registers are value pairs.
struct Pair {
    float lo, hi;
};

struct LaneRegs {
    Pair a[4];      // a0: (row g, slot j), a1: (row g+8, slot j), a2: (row g, slot j+4), a3: (row g+8, slot j+4)
    Pair b[4];      // b q: (k = 8q + 2j, 8q + 2j + 1; n = g)
    uint32_t e;     // metadata, read from lanes 2 sel, 2 sel + 1 of each quad
    float c[4];     // (g, 2j), (g, 2j+1), (g+8, 2j), (g+8, 2j+1)
};

void mma_sp_model(LaneRegs (&lanes)[32], int sel) {
    float a_val[16][8][2];
    int pos[16][8][2];
    float bk[32][8];
    for (int lane = 0; lane < 32; lane++) {
        const int g = lane / 4, j = lane % 4;
        for (int r = 0; r < 2; r++) {
            a_val[g + 8 * r][j][0] = lanes[lane].a[r].lo;
            a_val[g + 8 * r][j][1] = lanes[lane].a[r].hi;
            a_val[g + 8 * r][j + 4][0] = lanes[lane].a[2 + r].lo;
            a_val[g + 8 * r][j + 4][1] = lanes[lane].a[2 + r].hi;
        }
        for (int q = 0; q < 4; q++) {
            bk[8 * q + 2 * j][g] = lanes[lane].b[q].lo;
            bk[8 * q + 2 * j + 1][g] = lanes[lane].b[q].hi;
        }
    }
    for (int row = 0; row < 16; row++)
        for (int s = 0; s < 8; s++) {
            const int provider = 4 * (row % 8) + 2 * sel + s / 4;
            const int nibble = (lanes[provider].e >> (16 * (row / 8) + 4 * (s % 4))) & 0xF;
            pos[row][s][0] = 4 * s + p4j::sparse24_position(nibble, 0);
            pos[row][s][1] = 4 * s + p4j::sparse24_position(nibble, 1);
        }
    for (int lane = 0; lane < 32; lane++) {
        const int g = lane / 4, j = lane % 4;
        for (int i = 0; i < 4; i++) {
            const int row = g + 8 * (i / 2), n = 2 * j + i % 2;
            float sum = 0;
            for (int s = 0; s < 8; s++)
                for (int v = 0; v < 2; v++) sum += a_val[row][s][v] * bk[pos[row][s][v]][n];
            lanes[lane].c[i] += sum;
        }
    }
}

// A random canonical 2:4 weight with small integer values (sums stay exact in F32).
struct Weight {
    int64_t rows, cols;
    std::vector<float> values;  // [rows, cols/2]
    std::vector<uint8_t> meta;  // [rows, ceil(cols/8)]
    std::vector<float> dense;   // [rows, cols]
};

Weight random_weight(int64_t rows, int64_t cols, Rng& rng) {
    static const int nibbles[6] = {0x4, 0x8, 0xC, 0x9, 0xD, 0xE};
    Weight w{rows, cols, std::vector<float>(rows * cols / 2), std::vector<uint8_t>(rows * ((cols + 7) / 8), 0),
             std::vector<float>(rows * cols, 0.0f)};
    const int64_t mrow = (cols + 7) / 8;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t g = 0; g < cols / 4; g++) {
            const int n = nibbles[rng.below(6)];
            w.meta[r * mrow + g / 2] |= uint8_t(n << (4 * (g & 1)));
            for (int v = 0; v < 2; v++) {
                const float value = float(rng.below(7) - 3);
                w.values[r * (cols / 2) + 2 * g + v] = value;
                w.dense[r * cols + 4 * g + p4j::sparse24_position(n, v)] = value;
            }
        }
        if ((cols / 4) % 2 == 1) w.meta[r * mrow + mrow - 1] |= 0x40;  // padding nibble
    }
    return w;
}

// Runs the decode kernel's data flow on the host: blocks, warps, slices, the lanes' loads (same
// index arithmetic as sparse_gemv.cu), the mma model, the shared-memory reduction and the
// split partials; returns y [tokens, rows].
std::vector<float> decode_model(const Weight& w, const std::vector<float>& x, int tokens, const p4j::DecodeConfig& c,
                                const std::vector<float>& bias) {
    const int64_t rows = w.rows, cols = w.cols, mrow = (cols + 7) / 8;
    const int block_rows = p4j::DECODE_ROWS_PER_WARP * c.rb;
    std::vector<float> partials(size_t(c.splits) * tokens * rows, 0.0f), y(size_t(tokens) * rows, 0.0f);
    std::vector<float> xs(size_t(tokens) * c.xs_stride);
    for (int64_t rb = 0; rb < c.row_blocks; rb++) {
        for (int split = 0; split < c.splits; split++) {
            int64_t c_begin, c_end;
            p4j::split_range(c.chunks, c.splits, split, &c_begin, &c_end);
            std::vector<float> red(size_t(p4j::DECODE_WARPS) * block_rows * p4j::DECODE_MAX_TOKENS, 0.0f);
            static LaneRegs lanes[p4j::DECODE_WARPS][2][2][32];
            std::memset(lanes, 0, sizeof lanes);
            for (int64_t s0 = c_begin; s0 < c_end; s0 += c.slice_chunks) {
                const int n_chunks = int(std::min<int64_t>(c_end - s0, c.slice_chunks));
                for (int t = 0; t < tokens; t++)
                    for (int local = 0; local < n_chunks * p4j::DECODE_CHUNK; local++) {
                        const int64_t col = s0 * p4j::DECODE_CHUNK + local;
                        const int off = local / p4j::DECODE_CHUNK * p4j::DECODE_CHUNK +
                                        p4j::decode_xs_offset(local % p4j::DECODE_CHUNK);
                        xs[size_t(t) * c.xs_stride + off] = col < cols ? x[size_t(t) * cols + col] : 0.0f;
                    }
                for (int warp = 0; warp < p4j::DECODE_WARPS; warp++) {
                    const int rg = warp % c.rb, kg = warp / c.rb;
                    const int64_t row0 = rb * block_rows + rg * p4j::DECODE_ROWS_PER_WARP;
                    for (int lc = kg; lc < n_chunks; lc += c.kw) {
                        const int64_t chunk = s0 + lc;
                        static Pair v[32][2][2][8];
                        uint32_t m_lo[32][4], m_hi[32][4];
                        for (int lane = 0; lane < 32; lane++) {
                            const int g = lane / 4, j = lane % 4;
                            for (int mt = 0; mt < 2; mt++)
                                for (int hr = 0; hr < 2; hr++) {
                                    const int64_t row = row0 + 16 * mt + 8 * hr + g;
                                    for (int word = 0; word < 8; word++) {
                                        const int64_t group = chunk * 32 + 8 * j + word;
                                        const bool in = row < rows && group * 4 < cols;
                                        v[lane][mt][hr][word] = in ? Pair{w.values[row * (cols / 2) + 2 * group],
                                                                          w.values[row * (cols / 2) + 2 * group + 1]}
                                                                   : Pair{0, 0};
                                    }
                                }
                            const int64_t meta_row = row0 + 16 * (j / 2) + g;
                            for (int h = 0; h < 2; h++) {
                                uint32_t* m = h == 0 ? m_lo[lane] : m_hi[lane];
                                const int64_t row = meta_row + 8 * h;
                                for (int word = 0; word < 4; word++) {
                                    uint32_t value = 0;
                                    for (int b = 0; b < 4; b++) {
                                        const int64_t byte = chunk * 16 + 4 * word + b;
                                        const uint32_t got = row < rows && byte < mrow ? w.meta[row * mrow + byte] : 0x44u;
                                        value |= got << (8 * b);
                                    }
                                    m[word] = value;
                                }
                            }
                        }
                        for (int ks = 0; ks < 4; ks++)
                            for (int mt = 0; mt < 2; mt++)
                                for (int nt = 0; nt < c.nt; nt++) {
                                    LaneRegs(&regs)[32] = lanes[warp][mt][nt];
                                    for (int lane = 0; lane < 32; lane++) {
                                        const int g = lane / 4, j = lane % 4;
                                        regs[lane].a[0] = v[lane][mt][0][2 * ks];
                                        regs[lane].a[1] = v[lane][mt][1][2 * ks];
                                        regs[lane].a[2] = v[lane][mt][0][2 * ks + 1];
                                        regs[lane].a[3] = v[lane][mt][1][2 * ks + 1];
                                        const int n = 8 * nt + g;
                                        for (int q = 0; q < 4; q++) {
                                            const size_t at = size_t(n) * c.xs_stride + lc * p4j::DECODE_CHUNK + 8 * j + ks * 32 + 2 * q;
                                            regs[lane].b[q] = n < tokens ? Pair{xs[at], xs[at + 1]} : Pair{0, 0};
                                        }
                                        uint32_t lo[4], hi[4];
                                        std::memcpy(lo, m_lo[lane], sizeof lo);
                                        std::memcpy(hi, m_hi[lane], sizeof hi);
                                        regs[lane].e = p4j::decode_e_word(lo, hi, ks, j);
                                    }
                                    mma_sp_model(regs, mt);
                                }
                    }
                }
            }
            for (int warp = 0; warp < p4j::DECODE_WARPS; warp++) {
                const int rg = warp % c.rb, kg = warp / c.rb;
                for (int mt = 0; mt < 2; mt++)
                    for (int nt = 0; nt < c.nt; nt++)
                        for (int lane = 0; lane < 32; lane++)
                            for (int i = 0; i < 4; i++) {
                                const int g = lane / 4, j = lane % 4;
                                const int r = rg * 32 + 16 * mt + g + 8 * (i / 2);
                                const int t = 8 * nt + 2 * j + i % 2;
                                if (t < tokens) red[(size_t(kg) * block_rows + r) * p4j::DECODE_MAX_TOKENS + t] = lanes[warp][mt][nt][lane].c[i];
                            }
            }
            for (int t = 0; t < tokens; t++)
                for (int r = 0; r < block_rows; r++) {
                    const int64_t row = rb * block_rows + r;
                    if (row >= rows) continue;
                    float sum = 0;
                    for (int k = 0; k < c.kw; k++) sum += red[(size_t(k) * block_rows + r) * p4j::DECODE_MAX_TOKENS + t];
                    partials[(size_t(split) * tokens + t) * rows + row] = sum;
                }
        }
    }
    for (int t = 0; t < tokens; t++)
        for (int64_t row = 0; row < rows; row++) {
            float sum = 0;
            for (int s = 0; s < c.splits; s++) sum += partials[(size_t(s) * tokens + t) * rows + row];
            y[size_t(t) * rows + row] = sum + bias[row];
        }
    return y;
}

void decode_against_dense(Expect expect) {
    Rng rng{12345};
    const int64_t shapes[][2] = {{1, 4}, {16, 128}, {32, 128}, {33, 132}, {40, 256}, {64, 124}, {96, 512}, {17, 1028}};
    int cases = 0, bad_cases = 0;
    for (const auto& shape : shapes) {
        const int64_t rows = shape[0], cols = shape[1];
        const Weight w = random_weight(rows, cols, rng);
        for (int tokens = 1; tokens <= 16; tokens++) {
            std::vector<float> x(size_t(tokens) * cols), bias(rows);
            for (float& v : x) v = float(rng.below(9) - 4);
            for (float& v : bias) v = float(rng.below(5) - 2);
            std::vector<float> ref(size_t(tokens) * rows);
            for (int t = 0; t < tokens; t++)
                for (int64_t r = 0; r < rows; r++) {
                    float sum = bias[r];
                    for (int64_t k = 0; k < cols; k++) sum += x[size_t(t) * cols + k] * w.dense[r * cols + k];
                    ref[size_t(t) * rows + r] = sum;
                }
            // The chosen geometry on a few SM counts, and forced ones (every rb, splits, slice size).
            std::vector<p4j::DecodeConfig> configs;
            for (int sm : {1, 4, 132}) configs.push_back(p4j::decode_config(rows, cols, tokens, sm));
            for (int rb : {1, 2, 4, 8}) {
                p4j::DecodeConfig c = p4j::decode_config(rows, cols, tokens, 1);
                c.rb = rb;
                c.kw = p4j::DECODE_WARPS / rb;
                c.row_blocks = p4j::ceil_div(rows, 32 * rb);
                c.splits = int(std::min<int64_t>(c.chunks, 3));
                c.slice_chunks = 1;
                c.xs_stride = p4j::DECODE_CHUNK + p4j::DECODE_X_PAD;
                configs.push_back(c);
            }
            for (const p4j::DecodeConfig& c : configs) {
                const std::vector<float> y = decode_model(w, x, tokens, c, bias);
                int bad = 0;
                for (size_t i = 0; i < y.size(); i++) bad += y[i] != ref[i];
                cases++;
                if (bad != 0) {
                    if (bad_cases++ < 5) {
                        std::printf("decode model [%lld x %lld], %d tokens, rb %d splits %d slice %d: %d wrong\n",
                                    (long long)rows, (long long)cols, tokens, c.rb, c.splits, c.slice_chunks, bad);
                    }
                }
            }
        }
    }
    expect(bad_cases == 0, "decode kernel data flow (mma.sp model) equals the dense product", bad_cases, cases);
}

// The mma.sp metadata model above against the layout CUTLASS's sm_80 sparse GEMM loads (ldmatrix
// of the reordered E gives lane L the 32-bit unit at reordered row L): both must agree for a
// canonical 32-row, 32-column tile, and our reordered_offset must equal reorder_meta everywhere.
void sm80_metadata(Expect expect) {
    Rng rng{777};
    for (int64_t m : {32, 64, 96}) {
        for (int64_t kw : {2, 4, 8}) {
            std::vector<uint16_t> canonical(size_t(m * kw)), reordered(size_t(m * kw), 0);
            for (uint16_t& v : canonical) v = uint16_t(rng.next());
            cutlass::TensorRef<uint16_t, cutlass::layout::RowMajor> src(canonical.data(), cutlass::layout::RowMajor(kw));
            cutlass::TensorRef<uint16_t, cutlass::layout::ColumnMajorInterleaved<2>> dst(
                reordered.data(), cutlass::layout::ColumnMajorInterleaved<2>::packed({int(m), int(kw)}));
            cutlass::reorder_meta(dst, src, cutlass::gemm::GemmCoord(int(m), 0, int(kw)));
            bool same = true;
            for (int64_t r = 0; r < m; r++)
                for (int64_t c = 0; c < kw; c++) same = same && reordered[p4j::sm80_reordered_offset(r, c, m)] == canonical[r * kw + c];
            expect(same, "sm80_reordered_offset equals CUTLASS reorder_meta", uint64_t(m), uint64_t(kw));
            // Lane L's unit (rows 0..31, word pair 0) is the E of the model: tile (L % 4) / 2 with
            // selector = tile, half L % 2, rows g and g + 8 of that tile.
            for (int lane = 0; lane < 32; lane++) {
                const uint32_t unit = uint32_t(reordered[lane * 2]) | (uint32_t(reordered[lane * 2 + 1]) << 16);
                const int g = lane / 4, tile = (lane % 4) / 2, half = lane % 2;
                const int64_t r0 = 16 * tile + g;
                const uint32_t model = uint32_t(canonical[r0 * kw + half]) | (uint32_t(canonical[(r0 + 8) * kw + half]) << 16);
                expect(unit == model, "mma.sp metadata model matches CUTLASS's reordered E", lane, uint64_t(kw));
            }
        }
    }
}

void crossover(Expect expect) {
    Rng rng{99};
    for (int round = 0; round < 2000; round++) {
        float d[16], t[16];
        for (int i = 0; i < 16; i++) {
            d[i] = rng.below(10) == 0 ? -1.0f : float(rng.below(100));
            t[i] = rng.below(10) == 0 ? -1.0f : float(rng.below(100));
        }
        int want = 0;
        for (int i = 0; i < 16; i++) {
            if (d[i] < 0) break;
            if (t[i] >= 0 && d[i] >= t[i]) break;
            want = i + 1;
        }
        expect(p4j::decode_crossover(d, t, 16) == want, "decode_crossover", p4j::decode_crossover(d, t, 16), want);
    }
}

}  // namespace gemm_math_test

inline void gemm_math_tests(gemm_math_test::Expect expect) {
    gemm_math_test::buckets_and_splits(expect);
    gemm_math_test::decode_permutation(expect);
    gemm_math_test::decode_configs(expect);
    gemm_math_test::decode_against_dense(expect);
    gemm_math_test::sm80_metadata(expect);
    gemm_math_test::crossover(expect);
}
