# Writes a safetensors file with the reference implementation and prints, as JSON, what each
# tensor holds (dtype, shape, values, raw bytes in hex) for the Java side to compare.
# Usage: python interop_write.py OUT.safetensors
import json, sys
import numpy as np
import safetensors

rng = np.random.default_rng(2024)
f32 = rng.standard_normal((3, 5)).astype(np.float32)
f16 = (rng.standard_normal((4, 2)) * 8).astype(np.float16)
# numpy has no bfloat16: take float32 values whose low 16 bits are zero, so they are exact in BF16.
bf16_bits = (rng.standard_normal(6).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
bf16_values = (bf16_bits.astype(np.uint32) << 16).view(np.float32)
i64 = np.array([[0, -1, 2**40], [7, -(2**62), 123456789]], dtype=np.int64)

def le(a):
    return a.astype(a.dtype.newbyteorder("<")).tobytes()

tensors = {
    "model.layers.0.mlp.down_proj.weight": ("F32", f32, le(f32)),
    "model.layers.0.self_attn.q_proj.weight": ("F16", f16, le(f16)),
    "model.norm.weight": ("BF16", bf16_values, le(bf16_bits)),
    "position_ids": ("I64", i64, le(i64)),
    "scale": ("F32", np.float32(0.5), le(np.array(0.5, dtype=np.float32))),
}
names = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64"}
raw = {k: {"dtype": names[d], "shape": list(np.shape(v)), "data": b} for k, (d, v, b) in tensors.items()}
metadata = {"format": "pt", "written_by": "safetensors " + safetensors.__version__}
safetensors.serialize_file(raw, sys.argv[1], metadata=metadata)
print(json.dumps({
    "metadata": metadata,
    "tensors": {k: {"dtype": d, "shape": list(np.shape(v)), "values": np.ravel(v).tolist(), "hex": b.hex()}
                for k, (d, v, b) in tensors.items()},
}))
