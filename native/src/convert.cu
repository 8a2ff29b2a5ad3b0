// Element type conversions on the device: the twins of F32Tensors.copyOf (F16/BF16 -> F32, exact)
// and F32Tensors.writeRounded (F32 -> F16 as Float.floatToFloat16, F32 -> BF16 as
// Half.floatToBf16; float_bits.cuh), so that SparseGPT's F32 working copy of a weight is made and
// rounded back on the device, bit-identical to the CPU engine's.
#include "float_bits.cuh"

namespace {

template <int SRC, int DST>
__global__ void convert_kernel(const void* src, void* dst, uint64_t numel) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        const float f = p4j::load_f32<SRC>(src, i);
        if constexpr (DST == P4J_DTYPE_F32) {
            static_cast<float*>(dst)[i] = f;
        } else if constexpr (DST == P4J_DTYPE_F16) {
            static_cast<uint16_t*>(dst)[i] = p4j::f32_to_f16(f);
        } else {
            static_cast<uint16_t*>(dst)[i] = p4j::f32_to_bf16(f);
        }
    }
}

}  // namespace

extern "C" int prune4j_convert(p4j_context* ctx, const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype,
                               uint64_t numel) {
    P4J_CHECK(p4j::enter(ctx));
    for (int32_t d : {src_dtype, dst_dtype}) {
        if (d != P4J_DTYPE_F32 && d != P4J_DTYPE_F16 && d != P4J_DTYPE_BF16) {
            return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "convert: unknown dtype code %d", d);
        }
    }
    if (numel == 0) return P4J_OK;
    if (src == nullptr || dst == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "convert: NULL src or dst");
    if (src_dtype == dst_dtype) {
        if (src != dst) {
            P4J_CUDA(cudaMemcpyAsync(dst, src, numel * static_cast<uint64_t>(p4j::dtype_bytes(src_dtype)),
                                     cudaMemcpyDeviceToDevice, ctx->stream),
                     "cudaMemcpyAsync (convert)");
        }
        return P4J_OK;
    }
    if (src == dst) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "convert: src and dst must not be the same buffer");
    const unsigned grid = p4j::grid_for(ctx, numel, p4j::THREADS);
    P4J_CHECK(p4j::dispatch_dtype(src_dtype, "convert", [&]<int SRC>() {
        return p4j::dispatch_dtype(dst_dtype, "convert", [&]<int DST>() {
            convert_kernel<SRC, DST><<<grid, p4j::THREADS, 0, ctx->stream>>>(src, dst, numel);
            return P4J_OK;
        });
    }));
    P4J_CUDA(cudaGetLastError(), "convert launch");
    return P4J_OK;
}
