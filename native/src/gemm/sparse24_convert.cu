// Canonical 2:4 conversions on the GPU (sparse24_convert.cuh); the Java twin is Sparse24Codec.
#include "gemm/sparse24_convert.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace {

unsigned blocks(uint64_t items) {
    uint64_t b = (items + 255) / 256;
    return unsigned(b < 1 ? 1 : b > 65535 * 16 ? 65535 * 16 : b);
}

__device__ __forceinline__ int nibble_at(const uint8_t* meta, int64_t meta_row_bytes, int64_t r, int64_t g) {
    return (meta[r * meta_row_bytes + g / 2] >> ((g & 1) * 4)) & 0xF;
}

// One thread per group of 4 dense outputs.
__global__ void decompress_kernel(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols,
                                  uint16_t* dense, int64_t rows_p, int64_t cols_p) {
    const int64_t groups_p = cols_p / 4;
    const uint64_t total = uint64_t(rows_p) * uint64_t(groups_p);
    const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
    const int64_t meta_row = (cols + 7) / 8;
    for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
        int64_t r = int64_t(i / groups_p);
        int64_t g = int64_t(i % groups_p);
        uint16_t out[4] = {0, 0, 0, 0};
        if (r < rows && g < cols / 4) {
            int n = nibble_at(meta, meta_row, r, g);
            out[n & 3] = values[r * (cols / 2) + 2 * g];
            out[n >> 2] = values[r * (cols / 2) + 2 * g + 1];
        }
        uint16_t* d = dense + r * cols_p + 4 * g;
        d[0] = out[0];
        d[1] = out[1];
        d[2] = out[2];
        d[3] = out[3];
    }
}

// One thread per pair of groups (one metadata byte) of the padded form.
__global__ void pad_kernel(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols,
                           uint16_t* values_p, uint8_t* meta_p, int64_t rows_p, int64_t cols_p) {
    const int64_t bytes_p = cols_p / 8;
    const uint64_t total = uint64_t(rows_p) * uint64_t(bytes_p);
    const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
    const int64_t meta_row = (cols + 7) / 8;
    const int64_t groups = cols / 4;
    for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
        int64_t r = int64_t(i / bytes_p);
        int64_t b = int64_t(i % bytes_p);
        uint8_t byte = 0;
        for (int h = 0; h < 2; h++) {
            int64_t g = 2 * b + h;
            int n = 0x4;
            uint16_t v0 = 0, v1 = 0;
            if (r < rows && g < groups) {
                n = nibble_at(meta, meta_row, r, g);
                v0 = values[r * (cols / 2) + 2 * g];
                v1 = values[r * (cols / 2) + 2 * g + 1];
            }
            byte |= uint8_t(n << (4 * h));
            values_p[r * (cols_p / 2) + 2 * g] = v0;
            values_p[r * (cols_p / 2) + 2 * g + 1] = v1;
        }
        meta_p[r * bytes_p + b] = byte;
    }
}

__global__ void crop_kernel(const uint16_t* values_p, const uint8_t* meta_p, int64_t cols_p, uint16_t* values,
                            uint8_t* meta, int64_t rows, int64_t cols) {
    const int64_t meta_row = (cols + 7) / 8;
    const int64_t groups = cols / 4;
    const uint64_t total = uint64_t(rows) * uint64_t(meta_row);
    const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
    for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
        int64_t r = int64_t(i / meta_row);
        int64_t b = int64_t(i % meta_row);
        uint8_t byte = meta_p[r * (cols_p / 8) + b];
        if (2 * b + 1 >= groups) {
            byte = uint8_t((byte & 0x0F) | 0x40);  // the padding nibble of an odd group count
        }
        meta[r * meta_row + b] = byte;
        for (int h = 0; h < 2; h++) {
            int64_t g = 2 * b + h;
            if (g < groups) {
                values[r * (cols / 2) + 2 * g] = values_p[r * (cols_p / 2) + 2 * g];
                values[r * (cols / 2) + 2 * g + 1] = values_p[r * (cols_p / 2) + 2 * g + 1];
            }
        }
    }
}

template <typename T>
__device__ __forceinline__ T round_to(float v);
template <>
__device__ __forceinline__ __half round_to<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 round_to<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// 32 x 32 tiles through shared memory: reads rows of Y^T, writes rows of Y.
template <typename T>
__global__ void transpose_kernel(const float* in, int64_t ld, int64_t rows, int64_t tokens, const float* bias, T* y) {
    __shared__ float tile[32][33];
    const int64_t r0 = int64_t(blockIdx.y) * 32;
    const int64_t t0 = int64_t(blockIdx.x) * 32;
    for (int i = threadIdx.y; i < 32; i += blockDim.y) {
        int64_t r = r0 + i, t = t0 + threadIdx.x;
        tile[i][threadIdx.x] = (r < rows && t < tokens) ? in[r * ld + t] : 0.0f;
    }
    __syncthreads();
    for (int i = threadIdx.y; i < 32; i += blockDim.y) {
        int64_t t = t0 + i, r = r0 + threadIdx.x;
        if (r < rows && t < tokens) {
            float v = tile[threadIdx.x][i] + (bias != nullptr ? bias[r] : 0.0f);
            y[t * rows + r] = round_to<T>(v);
        }
    }
}

template <typename T>
__global__ void f32_to_kernel(const float* src, int64_t n, T* dst) {
    const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
    for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < uint64_t(n); i += stride) {
        dst[i] = round_to<T>(src[i]);
    }
}

}  // namespace

namespace p4j {

int sparse24_decompress(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols, uint16_t* dense,
                        int64_t rows_p, int64_t cols_p, cudaStream_t stream) {
    if (rows_p < rows || cols_p < cols || cols % 4 != 0 || cols_p % 4 != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sparse24_decompress: [%lld, %lld] into [%lld, %lld]", (long long)rows,
                    (long long)cols, (long long)rows_p, (long long)cols_p);
    }
    decompress_kernel<<<blocks(uint64_t(rows_p) * (cols_p / 4)), 256, 0, stream>>>(values, meta, rows, cols, dense,
                                                                                  rows_p, cols_p);
    P4J_CUDA(cudaGetLastError(), "sparse24_decompress launch");
    return P4J_OK;
}

int sparse24_pad(const uint16_t* values, const uint8_t* meta, int64_t rows, int64_t cols, uint16_t* values_p,
                 uint8_t* meta_p, int64_t rows_p, int64_t cols_p, cudaStream_t stream) {
    if (rows_p < rows || cols_p < cols || cols % 4 != 0 || cols_p % 8 != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sparse24_pad: [%lld, %lld] into [%lld, %lld]", (long long)rows,
                    (long long)cols, (long long)rows_p, (long long)cols_p);
    }
    pad_kernel<<<blocks(uint64_t(rows_p) * (cols_p / 8)), 256, 0, stream>>>(values, meta, rows, cols, values_p, meta_p,
                                                                           rows_p, cols_p);
    P4J_CUDA(cudaGetLastError(), "sparse24_pad launch");
    return P4J_OK;
}

int sparse24_crop(const uint16_t* values_p, const uint8_t* meta_p, int64_t rows_p, int64_t cols_p, uint16_t* values,
                  uint8_t* meta, int64_t rows, int64_t cols, cudaStream_t stream) {
    if (rows_p < rows || cols_p < cols || cols_p % 8 != 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sparse24_crop: [%lld, %lld] from [%lld, %lld]", (long long)rows,
                    (long long)cols, (long long)rows_p, (long long)cols_p);
    }
    crop_kernel<<<blocks(uint64_t(rows) * ((cols + 7) / 8)), 256, 0, stream>>>(values_p, meta_p, cols_p, values, meta,
                                                                              rows, cols);
    P4J_CUDA(cudaGetLastError(), "sparse24_crop launch");
    return P4J_OK;
}

int transpose_bias_round(const float* in, int64_t ld, int64_t rows, int64_t tokens, const float* bias, int dtype,
                         void* y, cudaStream_t stream) {
    dim3 grid(unsigned((tokens + 31) / 32), unsigned((rows + 31) / 32));
    dim3 block(32, 8);
    if (dtype == P4J_DTYPE_F16) {
        transpose_kernel<__half><<<grid, block, 0, stream>>>(in, ld, rows, tokens, bias, static_cast<__half*>(y));
    } else if (dtype == P4J_DTYPE_BF16) {
        transpose_kernel<__nv_bfloat16><<<grid, block, 0, stream>>>(in, ld, rows, tokens, bias,
                                                                    static_cast<__nv_bfloat16*>(y));
    } else {
        return fail(P4J_ERR_INVALID_ARGUMENT, "transpose: dtype code %d is not F16 or BF16", dtype);
    }
    P4J_CUDA(cudaGetLastError(), "transpose launch");
    return P4J_OK;
}

int f32_to_dtype(const float* src, int64_t n, int dtype, void* dst, cudaStream_t stream) {
    if (dtype == P4J_DTYPE_F16) {
        f32_to_kernel<__half><<<blocks(n), 256, 0, stream>>>(src, n, static_cast<__half*>(dst));
    } else if (dtype == P4J_DTYPE_BF16) {
        f32_to_kernel<__nv_bfloat16><<<blocks(n), 256, 0, stream>>>(src, n, static_cast<__nv_bfloat16*>(dst));
    } else {
        return fail(P4J_ERR_INVALID_ARGUMENT, "f32_to_dtype: dtype code %d", dtype);
    }
    P4J_CUDA(cudaGetLastError(), "f32_to_dtype launch");
    return P4J_OK;
}

}  // namespace p4j
