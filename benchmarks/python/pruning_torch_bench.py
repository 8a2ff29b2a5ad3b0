#!/usr/bin/env python3
"""The bar for prune4j's engines: the reference Wanda / SparseGPT layer algorithms with PyTorch on
the CPU or a CUDA device (or NumPy where torch cannot be installed), timed on the same shapes as
dev.prune4j.bench.CalibrationBenchmark: one out x in layer, 8192 calibration tokens, fp16 data.

  python pruning_torch_bench.py --shape 4096x4096[,11008x4096] [--backend torch|numpy]
                                [--device cpu|cuda] [--tokens 8192] [--repeat 3] [--json out.json]
                                [--jsonl lines.jsonl] [--deadline EPOCH_S] [--dry-run]

Every timed call starts from host memory and ends with its result on the host, as the Java
benchmark's calls do, so a CUDA number includes the transfers (the wall clock after
torch.cuda.synchronize()); the time between CUDA events recorded around the device work alone is
reported beside it as *_device_s. The reported time is the median of --repeat calls after one
warm-up call.

Timed, each as one call like the JMH single-shot benchmark:
  hessian   H = (2/n) X^T X over 8192 tokens, in=4096 (GFLOP/s counted as 2*n*in^2)
  wanda     |W| * sqrt(mean x^2) per input channel, 50 % per output row (sort per row)
  sparsegpt 50 % unstructured, block 128, percdamp 0.01, from a ready Hessian (the reference
            fasterprune: cholesky, cholesky_inverse, upper cholesky, per-block mask by w^2/d^2,
            column-by-column OBS update, lazy update of the later columns)
The code follows the published algorithms; it is written for this comparison, not copied.
"""
import argparse
import datetime
import json
import math
import os
import time

TOKENS = 8192
# Rows of distinct random inputs; longer calibration sets repeat them, as CalibrationBenchmark does.
DISTINCT_ROWS = 8192


def run_torch(out, inp, repeat, threads, device):
    import torch
    if threads:
        torch.set_num_threads(threads)
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("pruning_torch_bench: --device cuda, but torch " + torch.__version__
                         + " sees no CUDA device")
    dev = torch.device(device)
    g = torch.Generator().manual_seed(0)
    w16 = (torch.randn(out, inp, generator=g) * 0.02).half()
    x16 = torch.randn(min(TOKENS, DISTINCT_ROWS), inp, generator=g).half()
    if TOKENS > DISTINCT_ROWS:
        x16 = x16.repeat((TOKENS + DISTINCT_ROWS - 1) // DISTINCT_ROWS, 1)[:TOKENS].contiguous()
    if device == "cuda":
        # Host memory that can be copied asynchronously, as the Java engine's uploads are.
        w16, x16 = w16.pin_memory(), x16.pin_memory()

    def hessian():
        h = torch.zeros(inp, inp, device=dev)
        # Streamed in batches of 2048 tokens, as CalibrationBenchmark feeds its accumulator.
        for i in range(0, TOKENS, 2048):
            x = x16[i:i + 2048].to(dev).float() * math.sqrt(2 / TOKENS)
            h += x.t() @ x
        return h.cpu()

    def wanda(h_unused=None):
        w = w16.to(dev).float()
        x = x16.to(dev).float()
        norm = (x ** 2).sum(0) / TOKENS
        metric = w.abs() * torch.sqrt(norm).reshape(1, -1)
        idx = torch.sort(metric, dim=-1, stable=True)[1][:, : int(inp * 0.5)]
        mask = torch.zeros_like(metric, dtype=torch.bool).scatter_(1, idx, True)
        w[mask] = 0
        return w.half().cpu()

    def sparsegpt(h0, blocksize=128, percdamp=0.01, sparsity=0.5):
        w = w16.to(dev).float()
        h = h0.to(dev)
        dead = torch.diag(h) == 0
        h[dead, dead] = 1
        w[:, dead] = 0
        damp = percdamp * torch.mean(torch.diag(h))
        h += damp * torch.eye(inp, device=dev)
        h = torch.linalg.cholesky(h)
        h = torch.cholesky_inverse(h)
        hinv = torch.linalg.cholesky(h, upper=True)
        for i1 in range(0, inp, blocksize):
            i2 = min(i1 + blocksize, inp)
            w1 = w[:, i1:i2].clone()
            q1 = torch.zeros_like(w1)
            err1 = torch.zeros_like(w1)
            hinv1 = hinv[i1:i2, i1:i2]
            tmp = w1 ** 2 / (torch.diag(hinv1).reshape((1, -1))) ** 2
            thresh = torch.sort(tmp.flatten())[0][int(tmp.numel() * sparsity)]
            mask1 = tmp <= thresh
            for i in range(i2 - i1):
                col = w1[:, i]
                d = hinv1[i, i]
                q = col.clone()
                q[mask1[:, i]] = 0
                q1[:, i] = q
                e = (col - q) / d
                w1[:, i:] -= e.unsqueeze(1).matmul(hinv1[i, i:].unsqueeze(0))
                err1[:, i] = e
            w[:, i1:i2] = q1
            w[:, i2:] -= err1.matmul(hinv[i1:i2, i2:])
        return w.half().cpu()

    if device == "cuda":
        name = f"torch {torch.__version__}, cuda {torch.version.cuda}, {torch.cuda.get_device_name()}"
        return time_all(hessian, wanda, sparsegpt, repeat, name, CudaClock(torch))
    return time_all(hessian, wanda, sparsegpt, repeat, "torch " + torch.__version__
                    + f", {torch.get_num_threads()} threads", None)


class CudaClock:
    """Times one call twice: the wall clock to its synchronised end, and CUDA events around it."""

    def __init__(self, torch):
        self.torch = torch

    def time(self, fn, *args):
        torch = self.torch
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        t0 = time.perf_counter()
        start.record()
        fn(*args)
        end.record()
        torch.cuda.synchronize()
        return time.perf_counter() - t0, start.elapsed_time(end) / 1e3


def run_numpy(out, inp, repeat, threads):
    import numpy as np
    rng = np.random.default_rng(0)
    w16 = (rng.standard_normal((out, inp), dtype=np.float32) * 0.02).astype(np.float16)
    x16 = rng.standard_normal((TOKENS, inp), dtype=np.float32).astype(np.float16)

    def hessian():
        x = x16.astype(np.float32) * np.float32(math.sqrt(2 / TOKENS))
        return x.T @ x

    def wanda():
        w = w16.astype(np.float32)
        xf = x16.astype(np.float32)
        norm = (xf * xf).sum(0) / TOKENS
        metric = np.abs(w) * np.sqrt(norm)[None, :]
        idx = np.argsort(metric, axis=-1, kind="stable")[:, : int(inp * 0.5)]
        np.put_along_axis(w, idx, 0, axis=1)
        return w.astype(np.float16)

    def sparsegpt(h0, blocksize=128, percdamp=0.01, sparsity=0.5):
        w = w16.astype(np.float32)
        h = h0.copy()
        dead = np.diag(h) == 0
        h[dead, dead] = 1
        w[:, dead] = 0
        h[np.diag_indices(inp)] += np.float32(percdamp * np.mean(np.diag(h)))
        low = np.linalg.cholesky(h)
        linv = np.linalg.inv(low)  # numpy has no cholesky_inverse; inv of the triangle, then L^-T L^-1
        hinv = np.linalg.cholesky(linv.T @ linv).T
        for i1 in range(0, inp, blocksize):
            i2 = min(i1 + blocksize, inp)
            w1 = w[:, i1:i2].copy()
            q1 = np.zeros_like(w1)
            err1 = np.zeros_like(w1)
            hinv1 = hinv[i1:i2, i1:i2]
            tmp = w1 ** 2 / (np.diag(hinv1)[None, :]) ** 2
            thresh = np.sort(tmp.ravel())[int(tmp.size * sparsity)]
            mask1 = tmp <= thresh
            for i in range(i2 - i1):
                col = w1[:, i]
                d = hinv1[i, i]
                q = np.where(mask1[:, i], 0, col)
                q1[:, i] = q
                e = (col - q) / d
                w1[:, i:] -= np.outer(e, hinv1[i, i:])
                err1[:, i] = e
            w[:, i1:i2] = q1
            w[:, i2:] -= err1 @ hinv[i1:i2, i2:]
        return w.astype(np.float16)

    return time_all(hessian, wanda, sparsegpt, repeat, "numpy " + np.__version__, None)


def time_all(hessian, wanda, sparsegpt, repeat, backend, cuda_clock):
    def median(values):
        values = sorted(values)
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2

    def measure(res, key, fn, *args):
        fn(*args)  # warm-up, as the JMH run has one warm-up iteration
        walls, devices = [], []
        for _ in range(repeat):
            if cuda_clock is None:
                t0 = time.perf_counter()
                fn(*args)
                walls.append(time.perf_counter() - t0)
            else:
                wall, on_device = cuda_clock.time(fn, *args)
                walls.append(wall)
                devices.append(on_device)
        res[key + "_s"] = median(walls)
        if devices:
            res[key + "_device_s"] = median(devices)

    h = hessian()
    res = {"backend": backend}
    measure(res, "hessian", hessian)
    measure(res, "wanda", wanda)
    measure(res, "sparsegpt", sparsegpt, h)
    # As CalibrationBenchmark.sparseGpt50WithHessian: from the raw inputs.
    measure(res, "sparsegpt_with_hessian", lambda: sparsegpt(hessian()))
    return res


LINES_FORMAT = "prune4j-torch-pruning/1"


def append_line(path, kind, **fields):
    """One JSON line, appended as soon as it is known (a run stopped by a timeout keeps it)."""
    if not path:
        return
    line = {"format": LINES_FORMAT, "kind": kind}
    line.update(fields)
    with open(path, "a") as f:
        f.write(json.dumps(line, allow_nan=False) + "\n")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    global TOKENS
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="4096x4096", help="out x in, or several separated by commas")
    p.add_argument("--backend", choices=["torch", "numpy", "auto"], default="auto")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--tokens", type=int, default=TOKENS,
                   help="calibration tokens (the papers' 128 x 2048 = 262144 on a GPU)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json", help="the results of the last shape as one JSON document")
    p.add_argument("--jsonl", help="JSON lines: a header, one result per shape as it finishes, an end line")
    p.add_argument("--deadline", type=float, default=None,
                   help="epoch seconds (or PRUNE4J_STAGE_DEADLINE): no shape starts after it")
    p.add_argument("--dry-run", action="store_true", help="header and end lines only, no torch")
    a = p.parse_args()
    TOKENS = a.tokens
    shapes = a.shape.split(",")
    if a.deadline is None and os.environ.get("PRUNE4J_STAGE_DEADLINE"):
        a.deadline = float(os.environ["PRUNE4J_STAGE_DEADLINE"])
    if a.dry_run:
        append_line(a.jsonl, "header", dry_run=True, device=a.device, shapes=shapes, tokens=TOKENS, started=now())
        append_line(a.jsonl, "end", dry_run=True, results=0, finished=now())
        print("pruning_torch_bench --dry-run: %d shapes planned" % len(shapes), flush=True)
        return
    backend = a.backend
    if backend == "auto":
        try:
            import torch  # noqa: F401
            backend = "torch"
        except Exception:
            backend = "numpy"
    if a.device == "cuda" and backend != "torch":
        raise SystemExit("pruning_torch_bench: --device cuda needs --backend torch")
    append_line(a.jsonl, "header", device=a.device, backend=backend, shapes=shapes, tokens=TOKENS, started=now())
    done, stopped = 0, None
    for shape in shapes:
        if a.deadline is not None and time.time() > a.deadline:
            stopped = "deadline"
            break
        out, inp = (int(v) for v in shape.split("x"))
        if backend == "torch":
            res = run_torch(out, inp, a.repeat, a.threads, a.device)
        else:
            res = run_numpy(out, inp, a.repeat, a.threads)
        # The layer first: the GPU script's summary reads the lines in this order.
        res = {"shape": shape, "device": a.device, "tokens": TOKENS, **res,
               "hessian_gflops": 2.0 * TOKENS * inp * inp / 1e9 / res["hessian_s"]}
        append_line(a.jsonl, "result", **res)
        done += 1
        print(json.dumps(res, indent=1), flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=1)
    end = {"results": done, "finished": now()}
    if stopped:
        end["stopped"] = stopped
    append_line(a.jsonl, "end", **end)


if __name__ == "__main__":
    main()
