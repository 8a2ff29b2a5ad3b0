// SparseSwaps' row-wise 1-swaps (dev.prune4j.internal.cpu.MaskSwaps, its class comment has the
// derivation), written once for the device kernels (mask_swaps.cu) and the host test:
//
//   per row, with w the original weights, v the current ones (zero where pruned), g = (w - v) H:
//     a_i = w_i (w_i H_ii - 2 g_i)   for a pruned i   (unprune i alone)
//     b_j = v_j (v_j H_jj + 2 g_j)   for a kept j     (prune j alone)
//     delta(i, j) = a_i + b_j - 2 w_i v_j H_ij
//   repeatedly take the pair of lowest delta (ties: lowest i, then lowest j) among the pairs of
//   one group of columns, while it lowers the row's error e = (w - v) . g by more than
//   tolerance * e; after a swap g += -w_i H[i, :] + v_j H[j, :].
//
// Every value is computed in double with the Java twin's operations in its order, each rounded on
// its own (dmul_rn, dadd_rn, dsub_rn: no FMA), so a row's swaps, weights, gradient and keep bits are
// bit-identical to the CPU engine's for the same inputs. Two forms:
//  - swap_refine_serial: MaskSwaps.RowState statement by statement (one thread per row; the device
//    runs it for more than SWAP_WARP_CANDIDATES candidates, the host test as the reference);
//  - swap_refine_warp: one warp per row, columns k = lane + 32 m; the candidates' buffers live in
//    registers, one entry per lane; pairs are searched in parallel and the best one found by a
//    warp reduction with swap_better, a total order, so the reduction's shape does not matter.
// The warp form is a template over the warp's collectives (DeviceWarp below; the host test runs it
// on 32 host threads with a HostWarp of its own), so the host test checks this very code.
#pragma once

#include "float_bits.cuh"

#include <cstdint>

namespace p4j {

// Candidates up to which the whole-row search runs on the warp form (one buffer entry per lane).
constexpr int SWAP_WARP_CANDIDATES = 32;
// Threads of a warp-form block (4 warps, each a row at a time) and of a serial-form block.
constexpr int SWAP_WARP_THREADS = 128;
constexpr int SWAP_SERIAL_THREADS = 64;
// Scratch slots (rows in flight) per SM, and the scratch the slots may take together.
constexpr int64_t SWAP_SLOTS_PER_SM = 16;
constexpr int64_t SWAP_SCRATCH_CAP = int64_t{256} << 20;

// A layer's tensors and the options (pointers into device memory, or host arrays in the test).
struct SwapLayer {
    const float* w;      // original weights [rows, n]
    float* v;            // working weights [rows, n], zero where pruned; swapped weights written in place
    float* g;            // (W - V) H [rows, n] in F32; rewritten for every row that swapped
    const float* h;      // H [n, n]
    const float* hdiag;  // H's diagonal [n]
    uint64_t* keep;      // mask words, bit r * n + j = weight (r, j) kept
    int64_t rows;
    int64_t n;
    int64_t group;       // n: the whole row; M for N:M (n % M == 0)
    int64_t max_swaps;   // per row
    int candidates;      // whole-row search among this many best single moves (0: every pair); 0 when group < n
    double tolerance;
};

// One row's working state in a scratch slot.
struct SwapScratch {
    double* g;       // [n] the gradient in double
    double* single;  // [n] single-move gains (the all-pairs and group searches; the serial form)
    uint8_t* kept;   // [n] 1 = kept
    int* cand_p;     // [candidates] serial form: the candidates to unprune
    int* cand_k;     // [candidates] and to prune
};

// ---- scratch slots: g, single, kept, cand_p, cand_k back to back, each 16-byte aligned ----

__host__ __device__ inline int64_t swap_round16(int64_t bytes) { return (bytes + 15) / 16 * 16; }

__host__ __device__ inline int64_t swap_slot_bytes(int64_t n, int candidates) {
    return 2 * swap_round16(8 * n) + swap_round16(n) + 2 * swap_round16(4 * static_cast<int64_t>(candidates));
}

__host__ __device__ inline SwapScratch swap_slot(unsigned char* base, int64_t slot, int64_t n, int candidates) {
    unsigned char* p = base + slot * swap_slot_bytes(n, candidates);
    SwapScratch s;
    s.g = reinterpret_cast<double*>(p);
    p += swap_round16(8 * n);
    s.single = reinterpret_cast<double*>(p);
    p += swap_round16(8 * n);
    s.kept = p;
    p += swap_round16(n);
    s.cand_p = reinterpret_cast<int*>(p);
    p += swap_round16(4 * static_cast<int64_t>(candidates));
    s.cand_k = reinterpret_cast<int*>(p);
    return s;
}

// Rows in flight: one per slot, at most per_sm a streaming multiprocessor, at most the rows, and
// as many as SWAP_SCRATCH_CAP holds (at least one).
__host__ __device__ inline int64_t swap_slots(int64_t rows, int64_t n, int candidates, int64_t sm_count,
                                              int64_t per_sm) {
    int64_t slots = sm_count * per_sm;
    if (slots > rows) slots = rows;
    const int64_t fit = SWAP_SCRATCH_CAP / swap_slot_bytes(n, candidates);
    if (slots > fit) slots = fit;
    return slots < 1 ? 1 : slots;
}

// ---- the arithmetic, in the Java twin's order ----

// single[k] = u (u H_kk + 2 sign g_k), u = v_k and sign = +1 for a kept weight, u = w_k and sign = -1
// for a pruned one; (2 sign) g is exact, so it is written as +-2 g.
__host__ __device__ inline double swap_single(float u, float hkk, double g, bool kept) {
    const double ud = u;
    const double twice = kept ? dmul_rn(2.0, g) : dmul_rn(-2.0, g);
    return dmul_rn(ud, dadd_rn(dmul_rn(ud, static_cast<double>(hkk)), twice));
}

// delta(i, j) = a_i + b_j - (2 w_i) v_j H_ij.
__host__ __device__ inline double swap_delta(double ai, double bj, double two_wi, double vj, float hij) {
    return dsub_rn(dadd_rn(ai, bj), dmul_rn(dmul_rn(two_wi, vj), static_cast<double>(hij)));
}

// g_k after swapping (i, j): g_k + (-w_i H_ik + v_j H_jk), v_j the value before the swap.
__host__ __device__ inline double swap_gradient(double gk, double wi, float hik, double vj, float hjk) {
    return dadd_rn(gk, dadd_rn(dmul_rn(-wi, static_cast<double>(hik)), dmul_rn(vj, static_cast<double>(hjk))));
}

// The best pair so far: i < 0 for none.
struct SwapBest {
    double delta;
    int i;
    int j;
};

// Whether the pair (i, j) with gain d beats b: only gains below +infinity count (the CPU's strict
// comparison with a best that starts at +infinity: NaN and +infinity never win), lower gains win,
// equal ones go to the lower (i, j), as the CPU's scan in that order with a strict comparison.
__host__ __device__ inline bool swap_better(double d, int i, int j, const SwapBest& b) {
    if (!(d < double_infinity())) return false;
    if (b.i < 0 || d < b.delta) return true;
    if (b.delta < d) return false;
    return i < b.i || (i == b.i && j < b.j);
}

__host__ __device__ inline SwapBest swap_none() { return SwapBest{double_infinity(), -1, -1}; }

// ---- mask bits of a row ----

// The keep bit of (r, k) in the layer's words.
__host__ __device__ inline bool swap_kept_bit(const uint64_t* keep, int64_t r, int64_t n, int64_t k) {
    const uint64_t i = static_cast<uint64_t>(r) * static_cast<uint64_t>(n) + static_cast<uint64_t>(k);
    return ((keep[i >> 6] >> (i & 63)) & 1u) != 0;
}

// Mask words row r covers: [first, last].
__host__ __device__ inline void swap_row_words(int64_t r, int64_t n, int64_t* first, int64_t* last) {
    const uint64_t b = static_cast<uint64_t>(r) * static_cast<uint64_t>(n);
    *first = static_cast<int64_t>(b >> 6);
    *last = static_cast<int64_t>((b + static_cast<uint64_t>(n) - 1) >> 6);
}

// For word `word` of the layer's mask: *mask = the bits row r covers in it, *value = those bits from
// kept (the row's flags).
__host__ __device__ inline void swap_row_word(const uint8_t* kept, int64_t r, int64_t n, int64_t word, uint64_t* mask,
                                              uint64_t* value) {
    const int64_t begin = r * n;
    const int64_t lo = word * 64;
    const int64_t a = begin > lo ? begin : lo;
    const int64_t e = begin + n < lo + 64 ? begin + n : lo + 64;
    uint64_t m = 0, x = 0;
    for (int64_t b = a; b < e; b++) {
        const uint64_t bit = uint64_t{1} << (b - lo);
        m |= bit;
        if (kept[b - begin]) x |= bit;
    }
    *mask = m;
    *value = x;
}

// Writes the row's bits into a word that other rows may share (their bits are left alone).
__host__ __device__ inline void swap_store_word(uint64_t* word, uint64_t mask, uint64_t value) {
#ifdef __CUDA_ARCH__
    auto* p = reinterpret_cast<unsigned long long*>(word);
    atomicAnd(p, ~static_cast<unsigned long long>(mask));
    atomicOr(p, static_cast<unsigned long long>(value));
#else
    *word = (*word & ~mask) | value;
#endif
}

// Loads row r into the slot: g widened to double, the keep flags; lane of lanes threads.
__host__ __device__ inline void swap_load_row(const SwapLayer& L, int64_t r, const SwapScratch& s, int lane, int lanes) {
    for (int64_t k = lane; k < L.n; k += lanes) {
        s.g[k] = static_cast<double>(L.g[r * L.n + k]);
        s.kept[k] = swap_kept_bit(L.keep, r, L.n, k) ? 1 : 0;
    }
}

// Writes a row that swapped back: g rounded to F32 (Java's (float) cast), its keep bits.
__host__ __device__ inline void swap_store_row(const SwapLayer& L, int64_t r, const SwapScratch& s, int lane, int lanes) {
    for (int64_t k = lane; k < L.n; k += lanes) L.g[r * L.n + k] = static_cast<float>(s.g[k]);
    int64_t first = 0, last = 0;
    swap_row_words(r, L.n, &first, &last);
    for (int64_t wd = first + lane; wd <= last; wd += lanes) {
        uint64_t mask = 0, value = 0;
        swap_row_word(s.kept, r, L.n, wd, &mask, &value);
        swap_store_word(L.keep + wd, mask, value);
    }
}

// The row's error (w - v) . g, in column order as the CPU sums it.
__host__ __device__ inline double swap_row_error(const float* w, const float* v, const double* g, int64_t n) {
    double e = 0;
    for (int64_t j = 0; j < n; j++) {
        e = dadd_rn(e, dmul_rn(dsub_rn(static_cast<double>(w[j]), static_cast<double>(v[j])), g[j]));
    }
    return e;
}

// ---- the serial form: MaskSwaps.RowState, statement by statement ----

// RowState.offer: buf[0, size) holds the candidates columns sorted by gain (ties: the earlier
// offered, a lower column); returns the new size.
__host__ __device__ inline int swap_offer(int* buf, int size, int capacity, const double* single, int k, double s) {
    if (size == capacity && !(s < single[buf[size - 1]])) return size;
    int at = size == capacity ? size - 1 : size++;
    while (at > 0 && s < single[buf[at - 1]]) {
        buf[at] = buf[at - 1];
        at--;
    }
    buf[at] = k;
    return size;
}

__host__ __device__ inline void swap_sort_columns(int* a, int count) {
    for (int x = 1; x < count; x++) {
        const int c = a[x];
        int y = x;
        while (y > 0 && a[y - 1] > c) {
            a[y] = a[y - 1];
            y--;
        }
        a[y] = c;
    }
}

// RowState.update: the swap (i, j) (none for i < 0), then the single-move gains and the candidates.
__host__ __device__ inline void swap_serial_update(const SwapLayer& L, const float* w, float* v, const SwapScratch& s,
                                                   int i, int j, int* np, int* nk) {
    const int64_t n = L.n;
    if (i >= 0) {
        const double wi = w[i];
        const double vj = v[j];
        for (int64_t k = 0; k < n; k++) s.g[k] = swap_gradient(s.g[k], wi, L.h[i * n + k], vj, L.h[j * n + k]);
        v[i] = w[i];
        v[j] = 0.0f;
        s.kept[i] = 1;
        s.kept[j] = 0;
    }
    for (int64_t k = 0; k < n; k++) {
        const bool kk = s.kept[k] != 0;
        s.single[k] = swap_single(kk ? v[k] : w[k], L.hdiag[k], s.g[k], kk);
    }
    const int c = L.candidates;
    if (c > 0) {
        *np = 0;
        *nk = 0;
        double worst_p = double_infinity();
        double worst_k = double_infinity();
        for (int64_t k = 0; k < n; k++) {
            const double x = s.single[k];
            if (x < worst_p || x < worst_k) {
                if (s.kept[k]) {
                    if (x < worst_k) {
                        *nk = swap_offer(s.cand_k, *nk, c, s.single, static_cast<int>(k), x);
                        worst_k = *nk == c ? s.single[s.cand_k[*nk - 1]] : double_infinity();
                    }
                } else if (x < worst_p) {
                    *np = swap_offer(s.cand_p, *np, c, s.single, static_cast<int>(k), x);
                    worst_p = *np == c ? s.single[s.cand_p[*np - 1]] : double_infinity();
                }
            }
        }
        swap_sort_columns(s.cand_p, *np);
        swap_sort_columns(s.cand_k, *nk);
    }
}

// RowState.bestOfCandidates, bestOfAllPairs and bestInGroups: scans in (i, j) order, strict <.
__host__ __device__ inline SwapBest swap_serial_best(const SwapLayer& L, const float* w, const float* v,
                                                     const SwapScratch& s, int np, int nk) {
    const int64_t n = L.n;
    SwapBest b = swap_none();
    if (L.candidates > 0) {
        for (int pi = 0; pi < np; pi++) {
            const int i = s.cand_p[pi];
            const double ai = s.single[i];
            const double two_wi = dmul_rn(2.0, static_cast<double>(w[i]));
            for (int ki = 0; ki < nk; ki++) {
                const int j = s.cand_k[ki];
                const double d = swap_delta(ai, s.single[j], two_wi, v[j], L.h[i * n + j]);
                if (d < b.delta) b = SwapBest{d, i, j};
            }
        }
    } else {
        const int64_t m = L.group;
        for (int64_t g0 = 0; g0 < n; g0 += m) {
            for (int64_t i = g0; i < g0 + m; i++) {
                if (s.kept[i]) continue;
                const double ai = s.single[i];
                const double two_wi = dmul_rn(2.0, static_cast<double>(w[i]));
                for (int64_t j = g0; j < g0 + m; j++) {
                    if (!s.kept[j]) continue;
                    const double d = swap_delta(ai, s.single[j], two_wi, v[j], L.h[i * n + j]);
                    if (d < b.delta) b = SwapBest{d, static_cast<int>(i), static_cast<int>(j)};
                }
            }
        }
    }
    return b;
}

// RowState.refine for row r (g and kept loaded into s); returns the swaps made.
__host__ __device__ inline int64_t swap_refine_serial(const SwapLayer& L, int64_t r, const SwapScratch& s) {
    const float* w = L.w + r * L.n;
    float* v = L.v + r * L.n;
    double error = swap_row_error(w, v, s.g, L.n);
    int np = 0, nk = 0;
    int64_t done = 0;
    swap_serial_update(L, w, v, s, -1, -1, &np, &nk);
    while (done < L.max_swaps && error > 0) {
        const SwapBest b = swap_serial_best(L, w, v, s, np, nk);
        if (b.i < 0 || !(b.delta < dmul_rn(-L.tolerance, error))) break;
        swap_serial_update(L, w, v, s, b.i, b.j, &np, &nk);
        error = dadd_rn(error, b.delta);
        done++;
    }
    return done;
}

// ---- the warp form ----

// The warp form's templates run DeviceWarp on the device and the host test's HostWarp (host
// threads) on the host: nvcc must not reject a __host__ __device__ template for calling a
// host-only collective in the host instantiation, which is never compiled for the device.
#ifdef __CUDACC__
#define P4J_WARP_TEMPLATE _Pragma("nv_exec_check_disable")
#else
#define P4J_WARP_TEMPLATE
#endif

// A candidate in a warp's buffer: its single-move gain and column (+infinity: an empty entry).
struct SwapEntry {
    double s;
    int c;
};

// The collectives of a device warp (all 32 lanes take part in every call).
struct DeviceWarp {
    __host__ __device__ int lane() const {
#ifdef __CUDA_ARCH__
        return static_cast<int>(threadIdx.x & 31);
#else
        return 0;
#endif
    }
    __host__ __device__ uint32_t ballot(bool p) const {
#ifdef __CUDA_ARCH__
        return __ballot_sync(0xFFFFFFFFu, p);
#else
        return p ? 1u : 0u;
#endif
    }
    __host__ __device__ double shfl(double x, int src) const {
#ifdef __CUDA_ARCH__
        return __shfl_sync(0xFFFFFFFFu, x, src);
#else
        (void)src;
        return x;
#endif
    }
    __host__ __device__ int shfl(int x, int src) const {
#ifdef __CUDA_ARCH__
        return __shfl_sync(0xFFFFFFFFu, x, src);
#else
        (void)src;
        return x;
#endif
    }
    __host__ __device__ float shfl(float x, int src) const {
#ifdef __CUDA_ARCH__
        return __shfl_sync(0xFFFFFFFFu, x, src);
#else
        (void)src;
        return x;
#endif
    }
    __host__ __device__ SwapEntry shfl(const SwapEntry& e, int src) const { return SwapEntry{shfl(e.s, src), shfl(e.c, src)}; }
    __host__ __device__ SwapBest shfl(const SwapBest& b, int src) const {
        return SwapBest{shfl(b.delta, src), shfl(b.i, src), shfl(b.j, src)};
    }
    // Orders this warp's memory accesses before and after (global and shared).
    __host__ __device__ void sync() const {
#ifdef __CUDA_ARCH__
        __syncwarp();
#endif
    }
};

__host__ __device__ inline int swap_lowest_lane(uint32_t bits) {
#ifdef __CUDA_ARCH__
    return __ffs(static_cast<int>(bits)) - 1;
#else
    return __builtin_ctz(bits);
#endif
}

__host__ __device__ inline int swap_popc(uint32_t bits) {
#ifdef __CUDA_ARCH__
    return __popc(bits);
#else
    return __builtin_popcount(bits);
#endif
}

// The lane's best pair reduced over the warp: every lane gets the warp's best.
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline SwapBest swap_warp_best(const Warp& wp, SwapBest b) {
    const int lane = wp.lane();
    for (int off = 16; off > 0; off >>= 1) {
        const SwapBest o = wp.shfl(b, lane ^ off);
        if (swap_better(o.delta, o.i, o.j, b)) b = o;
    }
    return b;
}

// RowState.offer for a buffer held one entry per lane (entry l in lane l, count entries, capacity
// c <= 32): each lane that holds a column of this class offers it, in lane (= column) order.
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline void swap_warp_offer(const Warp& wp, SwapEntry& e, int& count, int c, bool mine, double x,
                                                int col) {
    const int lane = wp.lane();
    double worst = count == c ? wp.shfl(e.s, c - 1) : double_infinity();
    uint32_t want = wp.ballot(mine && x < worst);
    while (want != 0) {
        const int b = swap_lowest_lane(want);
        want &= want - 1;
        const double xb = wp.shfl(x, b);
        const int cb = wp.shfl(col, b);
        if (!(xb < worst)) continue;  // the buffer filled up meanwhile
        // The new entry goes after every entry it does not beat (RowState.offer's shift).
        const int at = swap_popc(wp.ballot(lane < count && !(xb < e.s)));
        const SwapEntry below = wp.shfl(e, lane > 0 ? lane - 1 : 0);
        if (lane < c) {
            if (lane > at) {
                e = below;
            } else if (lane == at) {
                e = SwapEntry{xb, cb};
            }
        }
        if (count < c) count++;
        worst = count == c ? wp.shfl(e.s, c - 1) : double_infinity();
    }
}

// The gradient after the pending swap (pi, pj) for column k (pi < 0: none), stored in the slot.
__host__ __device__ inline double swap_pending_gradient(const SwapLayer& L, const SwapScratch& s, int64_t k, int pi,
                                                        int pj, double pwi, double pvj) {
    double gk = s.g[k];
    if (pi >= 0) {
        gk = swap_gradient(gk, pwi, L.h[pi * L.n + k], pvj, L.h[pj * L.n + k]);
        s.g[k] = gk;
    }
    return gk;
}

// One step of the whole-row search among c <= 32 candidates: the pending swap's gradient, the
// single-move gains and both buffers in one pass over the row, then the c x c pairs.
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline SwapBest swap_warp_candidates(const Warp& wp, const SwapLayer& L, const float* w,
                                                         const float* v, const SwapScratch& s, int pi, int pj,
                                                         double pwi, double pvj) {
    const int lane = wp.lane();
    const int c = L.candidates;
    SwapEntry p{double_infinity(), 0x7FFFFFFF}, q{double_infinity(), 0x7FFFFFFF};
    int np = 0, nk = 0;
    for (int64_t base = 0; base < L.n; base += 32) {
        const int64_t k = base + lane;
        const bool in = k < L.n;
        double x = double_infinity();
        bool kk = false;
        if (in) {
            const double gk = swap_pending_gradient(L, s, k, pi, pj, pwi, pvj);
            kk = s.kept[k] != 0;
            x = swap_single(kk ? v[k] : w[k], L.hdiag[k], gk, kk);
        }
        swap_warp_offer(wp, p, np, c, in && !kk, x, static_cast<int>(k));
        swap_warp_offer(wp, q, nk, c, in && kk, x, static_cast<int>(k));
    }
    SwapBest b = swap_none();
    const int pairs = np * nk;
    for (int t0 = 0; t0 < pairs; t0 += 32) {
        const int t = t0 + lane;
        const int a = t < pairs ? t / nk : 0;
        const int z = t < pairs ? t % nk : 0;
        const SwapEntry ep = wp.shfl(p, a);
        const SwapEntry eq = wp.shfl(q, z);
        if (t < pairs) {
            const double d = swap_delta(ep.s, eq.s, dmul_rn(2.0, static_cast<double>(w[ep.c])),
                                        static_cast<double>(v[eq.c]), L.h[static_cast<int64_t>(ep.c) * L.n + eq.c]);
            if (swap_better(d, ep.c, eq.c, b)) b = SwapBest{d, ep.c, eq.c};
        }
    }
    return swap_warp_best(wp, b);
}

// One step of the search over every pair of the row (candidates = 0).
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline SwapBest swap_warp_all_pairs(const Warp& wp, const SwapLayer& L, const float* w,
                                                        const float* v, const SwapScratch& s, int pi, int pj,
                                                        double pwi, double pvj) {
    const int lane = wp.lane();
    const int64_t n = L.n;
    for (int64_t k = lane; k < n; k += 32) {
        const double gk = swap_pending_gradient(L, s, k, pi, pj, pwi, pvj);
        const bool kk = s.kept[k] != 0;
        s.single[k] = swap_single(kk ? v[k] : w[k], L.hdiag[k], gk, kk);
    }
    wp.sync();
    SwapBest b = swap_none();
    for (int64_t i = 0; i < n; i++) {
        if (s.kept[i]) continue;
        const double ai = s.single[i];
        const double two_wi = dmul_rn(2.0, static_cast<double>(w[i]));
        const float* hi = L.h + i * n;
        for (int64_t j = lane; j < n; j += 32) {
            if (!s.kept[j]) continue;
            const double d = swap_delta(ai, s.single[j], two_wi, static_cast<double>(v[j]), hi[j]);
            if (swap_better(d, static_cast<int>(i), static_cast<int>(j), b)) b = SwapBest{d, static_cast<int>(i), static_cast<int>(j)};
        }
    }
    return swap_warp_best(wp, b);
}

// One step of the search within groups of M = L.group columns (N:M): lane l takes the groups
// l, l + 32, ...; the pending gradient and the gains of a group, then its pairs.
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline SwapBest swap_warp_groups(const Warp& wp, const SwapLayer& L, const float* w, const float* v,
                                                     const SwapScratch& s, int pi, int pj, double pwi, double pvj) {
    const int lane = wp.lane();
    const int64_t n = L.n;
    const int64_t m = L.group;
    SwapBest b = swap_none();
    for (int64_t g0 = lane * m; g0 < n; g0 += 32 * m) {
        for (int64_t k = g0; k < g0 + m; k++) {
            const double gk = swap_pending_gradient(L, s, k, pi, pj, pwi, pvj);
            const bool kk = s.kept[k] != 0;
            s.single[k] = swap_single(kk ? v[k] : w[k], L.hdiag[k], gk, kk);
        }
        for (int64_t i = g0; i < g0 + m; i++) {
            if (s.kept[i]) continue;
            const double ai = s.single[i];
            const double two_wi = dmul_rn(2.0, static_cast<double>(w[i]));
            for (int64_t j = g0; j < g0 + m; j++) {
                if (!s.kept[j]) continue;
                const double d = swap_delta(ai, s.single[j], two_wi, static_cast<double>(v[j]), L.h[i * n + j]);
                if (swap_better(d, static_cast<int>(i), static_cast<int>(j), b)) {
                    b = SwapBest{d, static_cast<int>(i), static_cast<int>(j)};
                }
            }
        }
    }
    return swap_warp_best(wp, b);
}

// RowState.refine for row r on one warp (g and kept loaded into s, and the warp synchronised);
// returns the swaps made, in every lane. A swap's gradient update is done in the next step's pass
// over the row (or in a last pass when the loop ends), as RowState.update does it right away.
P4J_WARP_TEMPLATE
template <class Warp>
__host__ __device__ inline int64_t swap_refine_warp(const Warp& wp, const SwapLayer& L, int64_t r, const SwapScratch& s) {
    const int lane = wp.lane();
    const float* w = L.w + r * L.n;
    float* v = L.v + r * L.n;
    double error = 0;
    if (lane == 0) error = swap_row_error(w, v, s.g, L.n);
    error = wp.shfl(error, 0);
    int64_t done = 0;
    int pi = -1, pj = -1;
    double pwi = 0, pvj = 0;
    while (done < L.max_swaps && error > 0) {
        SwapBest b;
        if (L.group < L.n) {
            b = swap_warp_groups(wp, L, w, v, s, pi, pj, pwi, pvj);
        } else if (L.candidates > 0) {
            b = swap_warp_candidates(wp, L, w, v, s, pi, pj, pwi, pvj);
        } else {
            b = swap_warp_all_pairs(wp, L, w, v, s, pi, pj, pwi, pvj);
        }
        pi = -1;
        if (b.i < 0 || !(b.delta < dmul_rn(-L.tolerance, error))) break;
        pi = b.i;
        pj = b.j;
        pwi = w[pi];
        pvj = v[pj];
        wp.sync();  // every lane has read this step's v and flags
        if (lane == 0) {
            v[pi] = w[pi];
            v[pj] = 0.0f;
            s.kept[pi] = 1;
            s.kept[pj] = 0;
        }
        wp.sync();
        error = dadd_rn(error, b.delta);
        done++;
    }
    if (pi >= 0) {
        for (int64_t k = lane; k < L.n; k += 32) swap_pending_gradient(L, s, k, pi, pj, pwi, pvj);
    }
    wp.sync();
    return done;
}

}  // namespace p4j
