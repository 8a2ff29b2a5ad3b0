// Bit-range helpers on packed masks (bit i of word w = element 64*w + i, as dev.prune4j.mask.Mask),
// shared by the OBS block kernel (its rows' bits start anywhere in a word) and the kernel that
// copies a block's mask into the layer's mask. Host-tested exhaustively on small ranges.
#pragma once

#include <cstdint>

namespace p4j {

// Up to 64 bits of words starting at bit offset: bit k of the result = mask bit (offset + k), for
// k < count; zero above. Reads only the words that hold those bits.
__host__ __device__ inline uint64_t extract_bits(const uint64_t* words, uint64_t offset, int count) {
    if (count <= 0) return 0;
    const uint64_t w = offset >> 6;
    const unsigned s = static_cast<unsigned>(offset & 63);
    uint64_t v = words[w] >> s;
    if (s != 0 && s + static_cast<unsigned>(count) > 64) {
        v |= words[w + 1] << (64 - s);
    }
    return count >= 64 ? v : v & ((uint64_t{1} << count) - 1);
}

// For the mask word `word`, the part that the bit range [offset, offset + count) covers: *mask gets
// the covered bits of that word, *value the range's bits there, taken from `bits` (bit k of the
// range = bit k%32 of bits[k/32]). Both are zero when the word does not meet the range.
__host__ __device__ inline void range_in_word(uint64_t offset, int count, const uint32_t* bits, uint64_t word,
                                              uint64_t* mask, uint64_t* value) {
    *mask = 0;
    *value = 0;
    const uint64_t lo = word << 6;
    const uint64_t begin = offset > lo ? offset : lo;
    const uint64_t end_range = offset + static_cast<uint64_t>(count);
    const uint64_t end = end_range < lo + 64 ? end_range : lo + 64;
    for (uint64_t b = begin; b < end; b++) {
        const uint64_t k = b - offset;
        const uint64_t bit = uint64_t{1} << (b - lo);
        *mask |= bit;
        if ((bits[k >> 5] >> (k & 31)) & 1u) *value |= bit;
    }
}

}  // namespace p4j

namespace p4j {

// Mask words one row's block range [r * cols + from, r * cols + from + width) can touch.
__host__ __device__ inline int64_t block_words_per_row(int64_t width) { return (width + 63) / 64 + 1; }

// The k-th word of row r's range in the layer mask: *word its index, *mask the bits of the range
// in it, *value those bits taken from the block mask (row r at bit r * width). False when the
// range has fewer than k + 1 words.
__host__ __device__ inline bool insert_block_word(const uint64_t* block_keep, int64_t width, int64_t cols, int64_t from,
                                                  int64_t r, int64_t k, uint64_t* word, uint64_t* mask,
                                                  uint64_t* value) {
    const uint64_t begin = static_cast<uint64_t>(r) * static_cast<uint64_t>(cols) + static_cast<uint64_t>(from);
    const uint64_t end = begin + static_cast<uint64_t>(width);
    const uint64_t wd = (begin >> 6) + static_cast<uint64_t>(k);
    const uint64_t lo = wd << 6;
    if (lo >= end) return false;
    const uint64_t a = begin > lo ? begin : lo;
    const uint64_t b = end < lo + 64 ? end : lo + 64;
    const int count = static_cast<int>(b - a);
    const unsigned shift = static_cast<unsigned>(a - lo);
    const uint64_t bits = extract_bits(block_keep, static_cast<uint64_t>(r) * static_cast<uint64_t>(width) + (a - begin),
                                       count);
    const uint64_t ones = count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
    *word = wd;
    *mask = ones << shift;
    *value = bits << shift;
    return true;
}

}  // namespace p4j
