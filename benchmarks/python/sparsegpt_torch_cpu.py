#!/usr/bin/env python3
"""The bar for prune4j's CPU engine: the reference Wanda / SparseGPT layer algorithms with PyTorch
on the CPU (or NumPy where torch cannot be installed), timed on the same shapes as
dev.prune4j.bench.CalibrationBenchmark: one out x in layer, 8192 calibration tokens, fp16 data.

  python sparsegpt_torch_cpu.py --shape 4096x4096 [--backend torch|numpy] [--repeat 2] [--json out.json]

Timed, each as one call like the JMH single-shot benchmark:
  hessian   H = (2/n) X^T X over 8192 tokens, in=4096 (GFLOP/s counted as 2*n*in^2)
  wanda     |W| * sqrt(mean x^2) per input channel, 50 % per output row (sort per row)
  sparsegpt 50 % unstructured, block 128, percdamp 0.01, from a ready Hessian (the reference
            fasterprune: cholesky, cholesky_inverse, upper cholesky, per-block mask by w^2/d^2,
            column-by-column OBS update, lazy update of the later columns)
The code follows the published algorithms; it is written for this comparison, not copied.
"""
import argparse
import json
import math
import time

TOKENS = 8192


def run_torch(out, inp, repeat, threads):
    import torch
    if threads:
        torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    w16 = (torch.randn(out, inp, generator=g) * 0.02).half()
    x16 = torch.randn(TOKENS, inp, generator=g).half()

    def hessian():
        x = x16.float()
        h = torch.zeros(inp, inp)
        n = x.shape[0]
        x = math.sqrt(2 / n) * x
        h += x.t() @ x
        return h

    def wanda(h_unused=None):
        w = w16.float()
        norm = (x16.float() ** 2).sum(0) / TOKENS
        metric = w.abs() * torch.sqrt(norm).reshape(1, -1)
        idx = torch.sort(metric, dim=-1, stable=True)[1][:, : int(inp * 0.5)]
        mask = torch.zeros_like(metric, dtype=torch.bool).scatter_(1, idx, True)
        w[mask] = 0
        return w.half()

    def sparsegpt(h0, blocksize=128, percdamp=0.01, sparsity=0.5):
        w = w16.float().clone()
        h = h0.clone()
        dead = torch.diag(h) == 0
        h[dead, dead] = 1
        w[:, dead] = 0
        damp = percdamp * torch.mean(torch.diag(h))
        h += damp * torch.eye(inp)
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
        return w.half()

    return time_all(hessian, wanda, sparsegpt, repeat, "torch " + torch.__version__
                    + f", {torch.get_num_threads()} threads")


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

    return time_all(hessian, wanda, sparsegpt, repeat, "numpy " + np.__version__)


def time_all(hessian, wanda, sparsegpt, repeat, backend):
    def best(fn, *args):
        fn(*args)  # warm-up, as the JMH run has one warm-up iteration
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t0)
        return sum(times) / len(times)

    h = hessian()
    res = {"backend": backend}
    res["hessian_s"] = best(hessian)
    res["wanda_s"] = best(wanda)
    res["sparsegpt_s"] = best(sparsegpt, h)
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="4096x4096")
    p.add_argument("--backend", choices=["torch", "numpy", "auto"], default="auto")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json")
    a = p.parse_args()
    out, inp = (int(v) for v in a.shape.split("x"))
    backend = a.backend
    if backend == "auto":
        try:
            import torch  # noqa: F401
            backend = "torch"
        except Exception:
            backend = "numpy"
    res = (run_torch if backend == "torch" else run_numpy)(out, inp, a.repeat, a.threads)
    res["shape"] = a.shape
    res["tokens"] = TOKENS
    res["hessian_gflops"] = 2.0 * TOKENS * inp * inp / 1e9 / res["hessian_s"]
    print(json.dumps(res, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
