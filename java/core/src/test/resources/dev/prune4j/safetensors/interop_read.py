# Reads a safetensors file written by prune4j with the reference implementation and prints, as
# JSON, its metadata, each tensor's dtype, shape and bytes in hex, and whether the reference
# serialises the same tensors and metadata to the same file: same header length, same tensor
# entries in the same order, same data bytes. (Only the order of metadata keys may differ: the
# reference writes them in hash order, which changes from run to run.)
# Usage: python interop_read.py IN.safetensors
import json, struct, sys
import safetensors

path = sys.argv[1]
with open(path, "rb") as f:
    content = f.read()
tensors = dict(safetensors.deserialize(content))
with safetensors.safe_open(path, framework="numpy") as f:
    metadata = f.metadata() or {}
names = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
         "I32": "int32", "I8": "int8", "U8": "uint8", "BOOL": "bool"}
again = safetensors.serialize(
    {k: {"dtype": names[v["dtype"]], "shape": v["shape"], "data": bytes(v["data"])} for k, v in tensors.items()},
    metadata=metadata or None)

def parts(b):
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    metadata = header.pop("__metadata__", None)
    return n, list(header.items()), metadata, b[8 + n:]

print(json.dumps({
    "metadata": metadata,
    "tensors": {k: {"dtype": v["dtype"], "shape": v["shape"], "hex": bytes(v["data"]).hex()} for k, v in tensors.items()},
    "reserialized_identical": parts(again) == parts(content),
}))
