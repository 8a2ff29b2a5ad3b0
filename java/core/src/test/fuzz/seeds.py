#!/usr/bin/env python3
"""Writes the seed corpora of the Jazzer fuzz targets (SafeTensorsFuzzTest, IndexFuzzTest,
CalibrationFuzzTest) into src/test/resources. Seeds are small valid files and the malformed
shapes the tests already know; findings of fuzzing runs are added beside them by hand, under
names that say what they found. Run from java/core: python3 src/test/fuzz/seeds.py"""
import json
import os
import struct

RES = "src/test/resources/dev/prune4j"


def st(tensors, meta=None, raw_header=None, declared=None):
    header = {}
    if meta is not None:
        header["__metadata__"] = meta
    off = 0
    data = b""
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(payload)]}
        off += len(payload)
        data += payload
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h) if declared is None else declared) + h + data


def f32(*v):
    return struct.pack("<%df" % len(v), *v)


def write(folder, name, content):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(content if isinstance(content, bytes) else content.encode())


header = RES + "/safetensors/SafeTensorsFuzzTestInputs/header"
write(header, "valid-f32", st([("w.weight", "F32", [2, 2], f32(1, -2, 3, -4))], {"format": "pt"}))
write(header, "valid-mixed", st([("a", "F16", [3], b"\0\x3c" * 3), ("b", "BF16", [1, 1], b"\x80\x3f"),
                                 ("c", "I64", [], struct.pack("<q", 7)), ("d", "U8", [0, 5], b"")]))
write(header, "empty-header", st([]))
write(header, "truncated-data", st([("w", "F32", [4], f32(1, 2, 3, 4))])[:-3])
write(header, "overlap", st([], raw_header=b'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
                                      b'"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}') + b"abc")
write(header, "header-too-long", st([], raw_header=b"{}", declared=1 << 40))
write(header, "not-utf8", st([], raw_header=b'{"\xff":1}'))
write(header, "duplicate-key", st([], raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                                            b'"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}') + b"x")
write(header, "lone-surrogate", st([], raw_header=b'{"\\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}') + b"x")
write(header, "huge-shape", st([], raw_header=b'{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}'))
write(header, "zero-dim-huge", st([], raw_header=b'{"a":{"dtype":"F32","shape":[0,4294967296],"data_offsets":[0,0]}}'))

index = RES + "/safetensors/IndexFuzzTestInputs/index"
write(index, "valid", json.dumps({"metadata": {"total_size": 10}, "weight_map": {
    "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}))
write(index, "one-shard", json.dumps({"weight_map": {"a": "model-00001-of-00002.safetensors"}}))
write(index, "outside", json.dumps({"weight_map": {"a": "../model-00001-of-00002.safetensors"}}))
write(index, "missing-shard", json.dumps({"weight_map": {"a": "nope.safetensors", "b": "model-00002-of-00002.safetensors"}}))
write(index, "wrong-shard", json.dumps({"weight_map": {"a": "model-00002-of-00002.safetensors",
                                                       "b": "model-00002-of-00002.safetensors"}}))
write(index, "not-utf8", b'{"weight_map": {"a\xff": "model-00001-of-00002.safetensors"}}')
write(index, "not-an-object", "[1, 2, 3]")
write(index, "deep", "[" * 3000 + "]" * 3000)

calibration = RES + "/calib/CalibrationFuzzTestInputs/calibration"
write(calibration, "inputs-f32", st([("w.inputs", "F32", [2, 2], f32(1, 2, 3, 4))]))
write(calibration, "inputs-f16", st([("w.inputs", "F16", [1, 2], b"\0\x3c\0\x40")]))
write(calibration, "reduced", st([("w.act_norm_sq", "F32", [2], f32(1, 2)), ("w.act_count", "I64", [], struct.pack("<q", 3)),
                                  ("w.hessian", "F32", [2, 2], f32(2, 1, 1, 2)),
                                  ("w.hessian_count", "I32", [1], struct.pack("<i", 3))]))
write(calibration, "negative-count", st([("w.act_norm_sq", "F32", [2], f32(1, 2)), ("w.act_count", "F64", [], struct.pack("<d", -1))]))
write(calibration, "nan-hessian", st([("w.hessian", "F32", [1, 1], f32(float("nan"))), ("w.hessian_count", "I64", [], struct.pack("<q", 1))]))
write(calibration, "huge-inputs", st([("w.inputs", "F32", [2, 2], f32(3e38, 3e38, 3e38, 3e38))]))
write(calibration, "wrong-shape", st([("w.inputs", "F32", [4], f32(1, 2, 3, 4)), ("v.hessian", "F32", [1, 2], f32(1, 2))]))
