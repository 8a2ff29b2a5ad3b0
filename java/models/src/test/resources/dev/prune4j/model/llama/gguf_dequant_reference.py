"""Rows of GGUF tensors dequantised by numpy, independently of prune4j, for its GGUF reader test.

usage: python gguf_dequant_reference.py MODEL.gguf < requests.json
requests: [{"tensor": "blk.0.attn_q.weight", "rows": [0, 5]}, ...]; a row is dims[0] elements.
Prints {"alignment": ..., "data_offset": ..., "results": [{"tensor", "type", "rows": {"0": [float32 bits...]},
"sum": float64 sum of the whole tensor}]}.

Block layouts (ggml-common.h): Q8_0 = f16 d + 32 int8, x = d * q; Q4_0 = f16 d + 16 bytes, x = d * (q - 8);
Q4_1 = f16 d + f16 m + 16 bytes, x = d * q + m; low nibbles are elements 0-15, high nibbles 16-31.
"""
import json
import struct
import sys

import numpy as np

SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
BLOCK = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 8: (32, 34), 30: (1, 2)}
NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 8: "Q8_0", 30: "BF16"}


def read_header(data):
    pos = 4

    def take(fmt):
        nonlocal pos
        (v,) = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return v

    def string():
        nonlocal pos
        n = take("<Q")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take("<I"), take("<Q")
            return [value(et) for _ in range(n)]
        return take(SCALARS[t])

    take("<I")
    n_tensors, n_kv = take("<Q"), take("<Q")
    meta = {}
    for _ in range(n_kv):
        key = string()
        meta[key] = value(take("<I"))
    tensors = {}
    for _ in range(n_tensors):
        name = string()
        dims = [take("<Q") for _ in range(take("<I"))]
        tensors[name] = (dims, take("<I"), take("<Q"))
    alignment = meta.get("general.alignment", 32)
    return meta, tensors, alignment, (pos + alignment - 1) // alignment * alignment


def dequantize(raw, ggml_type):
    if ggml_type == 0:
        return np.frombuffer(raw, dtype="<f4")
    if ggml_type == 1:
        return np.frombuffer(raw, dtype="<f2").astype(np.float32)
    if ggml_type == 30:
        return (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    if ggml_type == 8:
        b = np.frombuffer(raw, dtype=[("d", "<f2"), ("qs", "i1", 32)])
        return (b["qs"].astype(np.float32) * b["d"].astype(np.float32)[:, None]).reshape(-1)
    if ggml_type in (2, 3):
        fields = [("d", "<f2")] + ([("m", "<f2")] if ggml_type == 3 else []) + [("qs", "u1", 16)]
        b = np.frombuffer(raw, dtype=fields)
        q = np.concatenate([b["qs"] & 0x0F, b["qs"] >> 4], axis=1).astype(np.float32)
        d = b["d"].astype(np.float32)[:, None]
        if ggml_type == 2:
            return ((q - np.float32(8)) * d).reshape(-1)
        return (q * d + b["m"].astype(np.float32)[:, None]).reshape(-1)
    raise ValueError(f"type {ggml_type}")


def main():
    requests = json.loads(sys.stdin.read())
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    meta, tensors, alignment, data_offset = read_header(data)
    results = []
    for req in requests:
        dims, ggml_type, offset = tensors[req["tensor"]]
        block, block_bytes = BLOCK[ggml_type]
        row_bytes = dims[0] // block * block_bytes
        rows = 1
        for d in dims[1:]:
            rows *= d
        start = data_offset + offset
        whole = dequantize(data[start:start + rows * row_bytes], ggml_type)
        results.append({
            "tensor": req["tensor"], "type": NAMES[ggml_type],
            "rows": {str(r): whole[r * dims[0]:(r + 1) * dims[0]].view(np.uint32).tolist() for r in req["rows"]},
            "sum": float(np.sum(whole.astype(np.float64))),
        })
    json.dump({"alignment": alignment, "data_offset": data_offset, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
