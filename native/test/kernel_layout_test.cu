// Host checks of the index math, tiling, padding, mask-bit and conversion helpers of the
// calibration, Wanda and SparseGPT kernels (calib_layout.cuh, mask_bits.cuh, float_bits.cuh,
// obs_row.cuh's shared-memory layout): the very functions the kernels call, compared with plain
// loops, exhaustively on small shapes.
#include "calib_layout.cuh"
#include "float_bits.cuh"
#include "host_test.h"
#include "mask_bits.cuh"
#include "obs_row.cuh"

#include <cmath>
#include <cstring>
#include <vector>

namespace {

using p4j_test::Tally;

uint64_t lcg(uint64_t& s) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s;
}

// ---- conversions: independent references computed in double with the C library ----

uint32_t bits_of(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

float float_of(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

// F32 -> F16 round to nearest even, by scaling to the F16 ulp of the value and rounding in double.
uint16_t reference_f16(float f) {
    const uint16_t sign = (bits_of(f) >> 16) & 0x8000;
    const double a = std::fabs(static_cast<double>(f));
    if (std::isinf(f)) return sign | 0x7C00;
    int e = a == 0 ? -14 : std::ilogb(a);
    if (e < -14) e = -14;
    const double ulp = std::ldexp(1.0, e - 10);
    const double q = std::nearbyint(a / ulp);  // default rounding: to nearest, ties to even
    const double v = q * ulp;
    if (v >= 65520.0 || v > 65504.0) return sign | 0x7C00;
    if (v == 0) return sign;
    if (v < std::ldexp(1.0, -14)) return sign | static_cast<uint16_t>(std::ldexp(v, 24));
    int ev = std::ilogb(v);
    const uint16_t mant = static_cast<uint16_t>(std::ldexp(v, 10 - ev) - 1024);
    return sign | static_cast<uint16_t>(((ev + 15) << 10) | mant);
}

uint16_t reference_bf16(float f) {
    const uint32_t b = bits_of(f);
    const uint16_t sign = (b >> 16) & 0x8000;
    const double a = std::fabs(static_cast<double>(f));
    if (std::isinf(f)) return sign | 0x7F80;
    if (a == 0) return sign;
    int e = std::ilogb(a);
    if (e < -126) e = -126;
    const double ulp = std::ldexp(1.0, e - 7);
    const double v = std::nearbyint(a / ulp) * ulp;
    if (v >= std::ldexp(1.0, 128)) return sign | 0x7F80;
    return sign | static_cast<uint16_t>(bits_of(static_cast<float>(v)) >> 16);  // v is a BF16 value: exact
}

void test_conversions(Tally& t) {
    // F16 -> F32: every bit pattern.
    for (uint32_t h = 0; h < 0x10000; h++) {
        const float f = p4j::f16_to_f32(h);
        const uint32_t e = (h >> 10) & 0x1F, m = h & 0x3FF;
        const double mag = e == 0 ? std::ldexp(static_cast<double>(m), -24)
                                  : std::ldexp(static_cast<double>(1024 + m), static_cast<int>(e) - 25);
        if (e == 31) {
            t.check(m == 0 ? std::isinf(f) : std::isnan(f), "f16_to_f32 specials", h, bits_of(f));
            if (m != 0) t.check(((bits_of(f) >> 13) & 0x3FF) == m, "f16_to_f32 NaN payload", h, bits_of(f));
        } else {
            t.check(std::fabs(static_cast<double>(f)) == mag, "f16_to_f32 value", h, bits_of(f));
        }
        t.check((bits_of(f) >> 31) == (h >> 15), "f16_to_f32 sign", h, bits_of(f));
        // F16 -> F32 -> F16 is the identity except for NaN payload bits the JDK folds.
        if (!(e == 31 && m != 0)) t.check(p4j::f32_to_f16(f) == h, "f16 round trip", h, p4j::f32_to_f16(f));
        t.check(p4j::f16_bits_not_finite(h) == (e == 31), "f16_bits_not_finite", h, 0);
    }
    // F32 -> F16 / BF16: every exponent and sign with mantissas at and around the rounding points.
    const uint32_t tails[] = {0x0, 0x1, 0x7FF, 0xFFF, 0x1000, 0x1001, 0x1FFF, 0x2000, 0x2001, 0x3000, 0x7FFF, 0x8000,
                              0x8001, 0xFFFF, 0x10000};
    long checked = 0;
    for (uint32_t high = 0; high < (1u << 16); high++) {  // sign, exponent, top 7 mantissa bits
        for (uint32_t tail : tails) {
            const float f = float_of((high << 16) | (tail & 0xFFFF) | (tail >> 16 << 15));
            if (std::isnan(f)) continue;
            const uint16_t h = p4j::f32_to_f16(f);
            const uint16_t r = reference_f16(f);
            t.check(h == r, "f32_to_f16 vs double reference", bits_of(f), (static_cast<long long>(h) << 16) | r);
            const uint16_t g = p4j::f32_to_bf16(f);
            const uint16_t s = reference_bf16(f);
            t.check(g == s, "f32_to_bf16 vs double reference", bits_of(f), (static_cast<long long>(g) << 16) | s);
            checked++;
        }
    }
    // Random floats too.
    uint64_t st = 12345;
    for (int k = 0; k < 2000000; k++) {
        const float f = float_of(static_cast<uint32_t>(lcg(st) >> 32));
        if (std::isnan(f)) continue;
        t.check(p4j::f32_to_f16(f) == reference_f16(f), "f32_to_f16 random", bits_of(f), p4j::f32_to_f16(f));
        t.check(p4j::f32_to_bf16(f) == reference_bf16(f), "f32_to_bf16 random", bits_of(f), p4j::f32_to_bf16(f));
        t.check(p4j::f32_bits_not_finite(bits_of(f)) == std::isinf(f), "f32_bits_not_finite", bits_of(f), 0);
    }
    // NaN: the JDK's folding of the payload for F16, a quiet NaN with the same sign for BF16.
    for (uint32_t payload : {1u, 0x1FFFu, 0x2000u, 0x400000u, 0x7FFFFFu, 0x12345u}) {
        for (uint32_t sign : {0u, 0x80000000u}) {
            const uint32_t b = sign | 0x7F800000u | payload;
            const uint16_t java = static_cast<uint16_t>(((b >> 16) & 0x8000) | 0x7C00 | ((b & 0x007FE000) >> 13) |
                                                        ((b & 0x00001FF0) >> 4) | (b & 0xF));
            t.check(p4j::f32_to_f16(float_of(b)) == java, "f32_to_f16 NaN as the JDK", b, p4j::f32_to_f16(float_of(b)));
            const uint16_t g = p4j::f32_to_bf16(float_of(b));
            t.check((g & 0x7F80) == 0x7F80 && (g & 0x7F) != 0 && (g & 0x8000) == (sign >> 16), "f32_to_bf16 NaN", b, g);
            t.check(p4j::f32_bits_not_finite(b), "f32 NaN not finite", b, 0);
        }
    }
    for (uint32_t h = 0; h < 0x10000; h++) {
        const float f = p4j::bf16_to_f32(h);
        t.check(bits_of(f) == h << 16, "bf16_to_f32", h, bits_of(f));
        t.check(p4j::bf16_bits_not_finite(h) == !std::isfinite(f), "bf16_bits_not_finite", h, 0);
    }
    t.check(checked > 900000, "conversion sample size", checked, 0);
}

// ---- calibration layouts ----

void test_norms_grid(Tally& t) {
    for (int64_t tokens = 1; tokens <= 70; tokens += (tokens < 40 ? 1 : 7)) {
        for (int64_t in = 1; in <= 1100; in += (in < 70 ? 1 : 259)) {
            for (int vec : {1, 2, 4}) {
                if (in % vec != 0) continue;
                for (int64_t target : {1, 7, 64, 1056}) {
                    const p4j::NormsGrid g = p4j::norms_grid(tokens, in, vec, target);
                    std::vector<int> seen(static_cast<size_t>(tokens * in), 0);
                    bool ok = g.slices >= 1 && g.slices <= p4j::NORMS_MAX_SLICES && g.col_blocks >= 1;
                    for (int64_t s = 0; s < g.slices; s++) {
                        const int64_t t0 = s * g.rows_per_slice;
                        const int64_t t1 = t0 + g.rows_per_slice < tokens ? t0 + g.rows_per_slice : tokens;
                        ok = ok && t1 > t0;  // no empty slice
                        for (int64_t bx = 0; bx < g.col_blocks; bx++) {
                            for (int64_t tx = 0; tx < p4j::NORMS_THREADS; tx++) {
                                const int64_t c0 = (bx * p4j::NORMS_THREADS + tx) * vec;
                                if (c0 >= in) continue;  // the kernel returns here
                                for (int64_t row = t0; row < t1; row++) {
                                    for (int v = 0; v < vec; v++) seen[static_cast<size_t>(row * in + c0 + v)]++;
                                }
                            }
                        }
                    }
                    for (int c : seen) ok = ok && c == 1;
                    t.check(ok, "norms_grid covers every element once", tokens, in * 10 + vec);
                }
            }
        }
    }
    const p4j::NormsGrid big = p4j::norms_grid(2048, 4096, 4, 8 * 132);
    t.check(big.rows_per_slice >= p4j::NORMS_MIN_ROWS_PER_SLICE && big.col_blocks == 4, "norms_grid 2048 x 4096",
            big.rows_per_slice, big.slices);
}

void test_hessian_strips(Tally& t) {
    for (int64_t n = 1; n <= 12000; n += (n < 300 ? 1 : 97)) {
        const p4j::Strips s = p4j::hessian_strips(n);
        bool ok = s.count >= 1 && s.count <= p4j::MAX_STRIPS && s.start[0] == 0 && s.start[s.count] == n;
        for (int k = 0; k < s.count; k++) {
            ok = ok && s.start[k + 1] > s.start[k];
            ok = ok && (k == 0 || s.start[k] % 64 == 0);
        }
        // Every upper element (i <= j) in exactly one strip rectangle; checked on a sample grid of
        // rows (all rows for small n).
        const int64_t step = n < 300 ? 1 : 13;
        for (int64_t i = 0; i < n && ok; i += step) {
            int owners = 0;
            for (int k = 0; k < s.count; k++) {
                if (i >= s.start[k] && i < s.start[k + 1]) {
                    owners++;
                    ok = ok && s.start[k] <= i;  // the strip's columns [start[k], n) include every j >= i
                }
            }
            ok = ok && owners == 1;
        }
        t.check(ok, "hessian_strips tile the upper triangle", n, s.count);
    }
    const p4j::Strips s4096 = p4j::hessian_strips(4096);
    t.check(s4096.count == 4 && s4096.start[1] == 1024, "4096: four strips of 1024", s4096.count, s4096.start[1]);
    const p4j::Strips s11008 = p4j::hessian_strips(11008);
    t.check(s11008.count == 8 && s11008.start[1] == 1408, "11008: eight strips", s11008.count, s11008.start[1]);
}

void test_mirror_tiles(Tally& t) {
    for (int64_t n = 1; n <= 400; n += (n < 100 ? 1 : 37)) {
        const uint64_t count = p4j::mirror_tile_count(n);
        const uint64_t tiles = static_cast<uint64_t>((n + 31) / 32);
        std::vector<int> seen(tiles * tiles, 0);
        for (uint64_t k = 0; k < count; k++) {
            uint64_t bi = 0, bj = 0;
            p4j::mirror_tile(k, &bi, &bj);
            if (bi < tiles && bj <= bi) seen[bi * tiles + bj]++;
        }
        bool ok = true;
        for (uint64_t bi = 0; bi < tiles; bi++) {
            for (uint64_t bj = 0; bj < tiles; bj++) ok = ok && seen[bi * tiles + bj] == (bj <= bi ? 1 : 0);
        }
        // Emulate the kernel on a matrix with a distinct upper triangle: the result must be symmetric
        // with the upper triangle unchanged.
        std::vector<float> h(static_cast<size_t>(n * n));
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < n; j++) h[i * n + j] = j >= i ? static_cast<float>(i * 1000 + j) : -1.0f;
        }
        for (uint64_t k = 0; k < count; k++) {
            uint64_t bi = 0, bj = 0;
            p4j::mirror_tile(k, &bi, &bj);
            float tile[32][33];
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    const int64_t r = static_cast<int64_t>(bj) * 32 + y, c = static_cast<int64_t>(bi) * 32 + x;
                    if (r < n && c < n) tile[y][x] = h[r * n + c];
                }
            }
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    const int64_t row = static_cast<int64_t>(bi) * 32 + y, col = static_cast<int64_t>(bj) * 32 + x;
                    if (row < n && col < n && row > col) h[row * n + col] = tile[x][y];
                }
            }
        }
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < n; j++) {
                const float expected = static_cast<float>((i < j ? i : j) * 1000 + (i < j ? j : i));
                ok = ok && h[i * n + j] == expected;
            }
        }
        t.check(ok, "mirror tiles: each lower tile once, result symmetric", n, static_cast<long long>(count));
    }
    // Large tile indices (n up to 46000: about a million tiles).
    bool ok = true;
    for (uint64_t k = 0; k < 1100000; k += 7) {
        uint64_t bi = 0, bj = 0;
        p4j::mirror_tile(k, &bi, &bj);
        ok = ok && bj <= bi && bi * (bi + 1) / 2 + bj == k;
    }
    t.check(ok, "mirror_tile inverts bi (bi + 1) / 2 + bj", 0, 0);
}

// ---- mask bits ----

bool naive_bit(const std::vector<uint64_t>& w, uint64_t i) { return (w[i >> 6] >> (i & 63)) & 1; }

void test_mask_bits(Tally& t) {
    uint64_t st = 99;
    std::vector<uint64_t> words(8);
    for (auto& w : words) w = lcg(st);
    bool ok = true;
    for (uint64_t offset = 0; offset + 64 <= 7 * 64; offset++) {
        for (int count = 0; count <= 64; count++) {
            uint64_t expected = 0;
            for (int k = 0; k < count; k++) expected |= static_cast<uint64_t>(naive_bit(words, offset + k)) << k;
            ok = ok && p4j::extract_bits(words.data(), offset, count) == expected;
        }
    }
    t.check(ok, "extract_bits", 0, 0);
    ok = true;
    uint32_t bits[8];
    for (auto& b : bits) b = static_cast<uint32_t>(lcg(st) >> 16);
    for (uint64_t offset = 0; offset < 200; offset++) {
        for (int count = 1; count <= 200; count += 3) {
            for (uint64_t word = 0; word < 8; word++) {
                uint64_t mask = 0, value = 0;
                p4j::range_in_word(offset, count, bits, word, &mask, &value);
                uint64_t em = 0, ev = 0;
                for (int b = 0; b < 64; b++) {
                    const uint64_t i = word * 64 + b;
                    if (i >= offset && i < offset + count) {
                        em |= uint64_t{1} << b;
                        const uint64_t k = i - offset;
                        if ((bits[k / 32] >> (k % 32)) & 1) ev |= uint64_t{1} << b;
                    }
                }
                ok = ok && mask == em && value == ev;
            }
        }
    }
    t.check(ok, "range_in_word", 0, 0);
    // obs_load_row_keep: bits of the range, ones past width.
    ok = true;
    for (uint64_t offset = 0; offset < 130; offset++) {
        for (int width = 1; width <= 128; width++) {
            uint32_t out[4];
            p4j::obs_load_row_keep(words.data(), offset, width, out);
            for (int k = 0; k < 128; k++) {
                const bool got = (out[k / 32] >> (k % 32)) & 1;
                ok = ok && got == (k < width ? naive_bit(words, offset + k) : true);
            }
        }
    }
    t.check(ok, "obs_load_row_keep", 0, 0);
    // insert_block_word over a small layer mask, as the kernel applies it (every (row, k) item).
    for (int64_t rows = 1; rows <= 5; rows++) {
        for (int64_t cols = 1; cols <= 150; cols += (cols < 70 ? 1 : 13)) {
            for (int64_t from = 0; from < cols; from += (cols < 20 ? 1 : 11)) {
                for (int64_t width = 1; from + width <= cols; width += (width < 10 ? 1 : 23)) {
                    std::vector<uint64_t> block((rows * width + 63) / 64 + 1), layer((rows * cols + 63) / 64 + 1);
                    for (auto& w : block) w = lcg(st);
                    for (auto& w : layer) w = lcg(st);
                    std::vector<uint64_t> expected = layer;
                    for (int64_t r = 0; r < rows; r++) {
                        for (int64_t j = 0; j < width; j++) {
                            const uint64_t dst = r * cols + from + j;
                            const bool bit = naive_bit(block, r * width + j);
                            expected[dst >> 6] = (expected[dst >> 6] & ~(uint64_t{1} << (dst & 63))) |
                                                 (static_cast<uint64_t>(bit) << (dst & 63));
                        }
                    }
                    const int64_t per_row = p4j::block_words_per_row(width);
                    for (int64_t r = 0; r < rows; r++) {
                        for (int64_t k = 0; k < per_row; k++) {
                            uint64_t word = 0, mask = 0, value = 0;
                            if (p4j::insert_block_word(block.data(), width, cols, from, r, k, &word, &mask, &value)) {
                                layer[word] = (layer[word] & ~mask) | value;
                            }
                        }
                    }
                    t.check(layer == expected, "insert_block_word", rows * 1000 + cols, from * 1000 + width);
                }
            }
        }
    }
}

// ---- the OBS kernel's shared-memory layout of the factor's block ----

void test_obs_layout(Tally& t) {
    bool ok = true;
    int expected = 0;
    std::vector<int> owner(p4j::OBS_HB_FLOATS, -1);
    for (int i = 0; i < p4j::OBS_WIDTH; i++) {
        ok = ok && p4j::obs_hb_offset(i) == expected && p4j::obs_hb_offset(i) % 4 == 0;
        for (int j = p4j::obs_hb_first(i); j < p4j::OBS_WIDTH; j++) {
            const int at = p4j::obs_hb_offset(i) + j - p4j::obs_hb_first(i);
            ok = ok && at >= 0 && at < p4j::OBS_HB_FLOATS && owner[at] == -1;
            if (at >= 0 && at < p4j::OBS_HB_FLOATS) owner[at] = i * 1000 + j;
        }
        expected += p4j::OBS_WIDTH - p4j::obs_hb_first(i);
    }
    ok = ok && expected == p4j::OBS_HB_FLOATS;
    for (int o : owner) ok = ok && o != -1;
    t.check(ok, "packed factor layout: rows 16-byte aligned, one slot per upper element", expected, 0);
    // PackedHb reads back what the kernel's loader writes, with the identity padding.
    const int64_t cols = 150;
    std::vector<float> hinv(cols * cols);
    for (size_t k = 0; k < hinv.size(); k++) hinv[k] = static_cast<float>(k) + 0.5f;
    for (int64_t from : {0, 7, 22}) {
        for (int width : {1, 5, 64, 100, 128}) {
            if (from + width > cols) continue;
            std::vector<float> packed(p4j::OBS_HB_FLOATS);
            for (int i = 0; i < p4j::OBS_WIDTH; i++) {
                const int first = p4j::obs_hb_first(i);
                for (int k = 0; k < p4j::OBS_WIDTH - first; k++) {
                    packed[p4j::obs_hb_offset(i) + k] = p4j::obs_hb_value(hinv.data(), cols, from, width, i, first + k);
                }
            }
            const p4j::PackedHb hb{packed.data()};
            bool good = true;
            for (int i = 0; i < p4j::OBS_WIDTH; i++) {
                const float d = i < width ? hinv[(from + i) * cols + from + i] : 1.0f;
                good = good && hb.diag(i) == d;
                for (int j = i; j < p4j::OBS_WIDTH; j++) {
                    const float e = (i < width && j < width) ? hinv[(from + i) * cols + from + j] : (i == j ? 1.0f : 0.0f);
                    good = good && hb.at(i, j) == e;
                }
                for (int j4 = (i + 1) / 4; j4 < p4j::OBS_WIDTH / 4; j4++) {
                    float h[4];
                    hb.row4(i, j4, h);
                    for (int c = 0; c < 4; c++) {
                        const int j = 4 * j4 + c;
                        if (j >= p4j::obs_hb_first(i)) good = good && h[c] == hb.at(i, j);
                    }
                }
            }
            t.check(good, "PackedHb: the block, identity-padded", from, width);
        }
    }
}

}  // namespace

namespace p4j_test {

long run_layout_tests() {
    Tally t{"layouts"};
    test_conversions(t);
    test_norms_grid(t);
    test_hessian_strips(t);
    test_mirror_tiles(t);
    test_mask_bits(t);
    test_obs_layout(t);
    std::printf("layouts: %ld passed, %ld failed\n", t.passes, t.failures);
    return t.failures;
}

}  // namespace p4j_test
