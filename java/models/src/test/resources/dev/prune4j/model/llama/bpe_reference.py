"""Token ids by Hugging Face's tokenizers library for the texts on stdin (a JSON list).

usage: python bpe_reference.py MODEL.gguf [tokenizer.json] < texts.json

The reference tokenizer is built here from the GGUF's own vocabulary, merges and token types (read
with the few lines of GGUF parsing below, so nothing but `tokenizers` is needed): a BPE model, the
pre-tokenizer llama.cpp calls `smollm` (Digits(individual_digits=True), then ByteLevel without a
prefix space), the CONTROL tokens as special tokens. Texts are encoded without special tokens
added. With a tokenizer.json (written by prune4j's converter) the indices of the texts on which it
gives other ids than the reference are reported as well.

Prints {"version": ..., "ids": [[...], ...], "json_mismatches": [indices] or null}.
"""
import json
import struct
import sys

import tokenizers
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
CONTROL = 3


def gguf_metadata(path):
    with open(path, "rb") as f:
        data = f.read(64 << 20)  # the header of a small model is a few MB
    pos = 0

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

    assert data[:4] == b"GGUF", "not a GGUF file"
    pos = 4
    take("<I")
    take("<Q")
    kv = take("<Q")
    out = {}
    for _ in range(kv):
        key = string()
        out[key] = value(take("<I"))
    return out


def reference_tokenizer(gguf):
    md = gguf_metadata(gguf)
    assert md["tokenizer.ggml.model"] == "gpt2" and md["tokenizer.ggml.pre"] == "smollm", md["tokenizer.ggml.pre"]
    tokens = md["tokenizer.ggml.tokens"]
    vocab = {t: i for i, t in enumerate(tokens)}
    merges = [tuple(m.split(" ", 1)) for m in md["tokenizer.ggml.merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    specials = [tokens[i] for i, t in enumerate(md["tokenizer.ggml.token_type"]) if t == CONTROL]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def main():
    texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    ref = reference_tokenizer(sys.argv[1])
    ids = [e.ids for e in ref.encode_batch(texts, add_special_tokens=False)]
    mismatches = None
    if len(sys.argv) > 2:
        converted = Tokenizer.from_file(sys.argv[2])
        json_ids = [e.ids for e in converted.encode_batch(texts, add_special_tokens=False)]
        mismatches = [i for i, (a, b) in enumerate(zip(ids, json_ids)) if a != b]
    sys.stdout.write(json.dumps({"version": tokenizers.__version__, "ids": ids, "json_mismatches": mismatches}))


if __name__ == "__main__":
    main()
