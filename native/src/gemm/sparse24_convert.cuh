// On-device conversions of prune4j's canonical 2:4 form (dev.prune4j.sparse.Sparse24: values
// [out, in/2] + nibble metadata U8 [out, ceil(in/8)]) and small layout helpers of the GEMM plans.
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

// Canonical (rows x cols, unpadded) -> dense [rows_p, cols_p] row-major with zeros in the padding.
// Element size 2 bytes (F16/BF16 bits are moved, never converted).
int sparse24_decompress(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols, uint16_t* dense,
                        int64_t rows_p, int64_t cols_p, cudaStream_t stream);

// Canonical (rows x cols) -> canonical padded to rows_p x cols_p (cols_p a multiple of 32): values
// [rows_p, cols_p/2] and metadata [rows_p, cols_p/8] bytes, padding groups as zero groups (nibble 0x4).
int sparse24_pad(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols, uint16_t* values_p,
                 uint8_t* meta_p, int64_t rows_p, int64_t cols_p, cudaStream_t stream);

// The inverse of sparse24_pad: the top-left rows x cols of a padded canonical weight.
int sparse24_crop(const uint16_t* values_p, const uint8_t* meta_p, int64_t rows_p, int64_t cols_p, uint16_t* values,
                  uint8_t* meta, int64_t rows, int64_t cols, cudaStream_t stream);

// y[t, r] = round(in[r, t] + bias[r]) for t < tokens, r < rows, from an F32 [rows_p, ld] row-major
// Y^T (CUTLASS 2's output); bias may be NULL. dtype: P4J_DTYPE_F16 or BF16.
int transpose_bias_round(const float* in, int64_t ld, int64_t rows, int64_t tokens, const float* bias, int dtype,
                         void* y, cudaStream_t stream);

// dst[i] = round(src[i]) in dtype (F16/BF16), n elements.
int f32_to_dtype(const float* src, int64_t n, int dtype, void* dst, cudaStream_t stream);

}  // namespace p4j
