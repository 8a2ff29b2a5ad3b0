"""Token ids by Hugging Face's tokenizers library for the texts on stdin (a JSON list).

usage: python tokenize_reference.py MODEL_DIR/tokenizer.json MAX_LENGTH < texts.json
Prints {"version": ..., "ids": [[...], ...]}: [CLS] ... [SEP], truncated to MAX_LENGTH, no padding.
"""
import json
import sys

import tokenizers
from tokenizers import Tokenizer

tok = Tokenizer.from_file(sys.argv[1])
tok.no_padding()
tok.enable_truncation(int(sys.argv[2]))
texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
encodings = tok.encode_batch(texts)
json.dump({"version": tokenizers.__version__, "ids": [e.ids for e in encodings]}, sys.stdout)
