// The reconstruction error's quadratic form sum_r d_r^T H d_r = trace(D H D^T) with D = A - B
// (CpuKernels.rowQuadraticFormSum; ReconstructionError multiplies it by n / 2). Chunks of rows of
// D are formed in F32 (the CPU's float difference of the two weights widened to F32), multiplied
// by H with cuBLASLt (F32, as the CPU's MatMul), and each row's dot product d_r . (D H)_r is summed
// in double; the rows' sums are added in a fixed order (one block, strided sums, then a tree), so
// the result is the same on every run and differs from the CPU's only in double rounding.
#include "cublaslt_api.cuh"
#include "float_bits.cuh"
#include "linalg_shared.cuh"
#include "lt_matmul.cuh"

namespace {

constexpr int DOT_THREADS = 256;
constexpr int SUM_THREADS = 1024;
constexpr size_t CHUNK_FLOATS = size_t(1) << 24;  // 64 MiB per chunk buffer

template <int DA, int DB>
__global__ void difference(const void* a, const void* b, uint64_t first, uint64_t numel, float* d) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        const float x = p4j::load_f32<DA>(a, first + i);
        d[i] = b == nullptr ? x : p4j::sub_rn(x, p4j::load_f32<DB>(b, first + i));
    }
}

// per_row[r] = sum_j d[r][j] * dh[r][j] in double, one block per row.
__global__ void __launch_bounds__(DOT_THREADS)
row_dots(const float* d, const float* dh, int64_t rows, int64_t n, double* per_row) {
    __shared__ double part[DOT_THREADS];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        double s = 0.0;
        for (int64_t j = threadIdx.x; j < n; j += DOT_THREADS) {
            s += static_cast<double>(d[r * n + j]) * static_cast<double>(dh[r * n + j]);
        }
        part[threadIdx.x] = s;
        __syncthreads();
        for (int half = DOT_THREADS / 2; half > 0; half >>= 1) {
            if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
            __syncthreads();
        }
        if (threadIdx.x == 0) per_row[r] = part[0];
        __syncthreads();
    }
}

__global__ void __launch_bounds__(SUM_THREADS) sum_rows(const double* per_row, int64_t rows, double* out) {
    __shared__ double part[SUM_THREADS];
    double s = 0.0;
    for (int64_t r = threadIdx.x; r < rows; r += SUM_THREADS) s += per_row[r];
    part[threadIdx.x] = s;
    __syncthreads();
    for (int half = SUM_THREADS / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = part[0];
}

}  // namespace

extern "C" int prune4j_row_quadratic_form_sum(p4j_context* ctx, const void* a, int32_t a_dtype, const void* b,
                                              int32_t b_dtype, int64_t rows, int64_t n, const float* h, double* result) {
    if (result != nullptr) *result = 0.0;
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || n < 1) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "row_quadratic_form_sum: D [%lld, %lld]", (long long)rows, (long long)n);
    }
    if (result == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "row_quadratic_form_sum: NULL result");
    for (int32_t dt : {a_dtype, b_dtype}) {
        if (dt != P4J_DTYPE_F32 && dt != P4J_DTYPE_F16 && dt != P4J_DTYPE_BF16) {
            return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "row_quadratic_form_sum: unknown dtype code %d", dt);
        }
    }
    if (rows == 0) return P4J_OK;
    if (a == nullptr || h == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "row_quadratic_form_sum: NULL a or h");
    int64_t chunk = static_cast<int64_t>(CHUNK_FLOATS / static_cast<size_t>(n));
    if (chunk < 1) chunk = 1;
    if (chunk > rows) chunk = rows;
    // D itself when it is A in F32; otherwise a chunk buffer for it.
    const bool direct = b == nullptr && a_dtype == P4J_DTYPE_F32;
    const size_t chunk_bytes = static_cast<size_t>(chunk) * static_cast<size_t>(n) * sizeof(float);
    p4j::AsyncBuffer d_buf(ctx->stream), dh_buf(ctx->stream), rows_buf(ctx->stream);
    if (!direct) P4J_CHECK(d_buf.allocate(chunk_bytes, "cudaMallocAsync (quadratic form D)"));
    P4J_CHECK(dh_buf.allocate(chunk_bytes, "cudaMallocAsync (quadratic form D H)"));
    P4J_CHECK(rows_buf.allocate(static_cast<size_t>(rows) * sizeof(double), "cudaMallocAsync (quadratic form rows)"));
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        const int64_t rc = rows - r0 < chunk ? rows - r0 : chunk;
        const uint64_t first = static_cast<uint64_t>(r0) * static_cast<uint64_t>(n);
        const uint64_t numel = static_cast<uint64_t>(rc) * static_cast<uint64_t>(n);
        const float* d = direct ? static_cast<const float*>(a) + first : d_buf.as<float>();
        if (!direct) {
            P4J_CHECK(p4j::dispatch_dtype(a_dtype, "row_quadratic_form_sum", [&]<int DA>() {
                return p4j::dispatch_dtype(b == nullptr ? a_dtype : b_dtype, "row_quadratic_form_sum", [&]<int DB>() {
                    difference<DA, DB><<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(
                        a, b, first, numel, d_buf.as<float>());
                    return P4J_OK;
                });
            }));
            P4J_CUDA(cudaGetLastError(), "row_quadratic_form_sum (difference) launch");
        }
        // Row-major (D H) [rc, n] is column-major (D H)^T = H^T D^T [n, rc], where column-major H^T
        // and D^T are the row-major H and D as they are.
        p4j::LtMatmul g{};
        g.type_ab = p4j::LT_R_32F;
        g.trans_a = false;
        g.trans_b = false;
        g.m = static_cast<uint64_t>(n);
        g.n = static_cast<uint64_t>(rc);
        g.k = static_cast<uint64_t>(n);
        g.lda = n;
        g.ldb = n;
        g.ldc = n;
        P4J_CHECK(p4j::lt_matmul(ctx, g, 1.0f, h, d, 0.0f, dh_buf.as<float>(), "row_quadratic_form_sum (cublasLtMatmul)"));
        const unsigned grid = static_cast<unsigned>(rc < 65535 ? rc : 65535);
        row_dots<<<grid, DOT_THREADS, 0, ctx->stream>>>(d, dh_buf.as<float>(), rc, n, rows_buf.as<double>() + r0);
        P4J_CUDA(cudaGetLastError(), "row_quadratic_form_sum (row dots) launch");
    }
    sum_rows<<<1, SUM_THREADS, 0, ctx->stream>>>(rows_buf.as<double>(), rows, reinterpret_cast<double*>(flags));
    long long bits = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &bits, "row_quadratic_form_sum"));
    std::memcpy(result, &bits, sizeof bits);
    return P4J_OK;
}
