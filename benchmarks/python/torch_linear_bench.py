#!/usr/bin/env python3
"""PyTorch side of the dense vs 2:4 linear-layer report, for the GPU machine.

Measures Y = X W^T on the ARCHITECTURE.md projection shapes (out x in), token counts 1, 16, 128,
2048, 8192, in float16 and bfloat16, with the same magnitude-2:4-pruned weight three ways:

  dense       torch.nn.functional.linear(x, w)
  cutlass     w as torch.sparse.to_sparse_semi_structured(w) with
              SparseSemiStructuredTensor._FORCE_CUTLASS = True
  cusparselt  the same with _FORCE_CUTLASS = False (cuSPARSELt; left out with an error entry when
              torch.backends.cusparselt is not available)

Each call is timed with CUDA events recorded around it on the current stream (warm-up calls first);
the mean and the half-width of a 99.9 % normal confidence interval are written, as JMH does. Writes
JSON (format "prune4j-torch-linear/1") that `./prune4j report` merges with prune4j's JMH results:

  {"format": "prune4j-torch-linear/1",
   "machine": {"engine": "torch", "gpu": ..., "torch": ..., "cuda": ..., "cusparselt": ...},
   "results": [{"shape": "4096x11008", "tokens": 16, "dtype": "F16", "impl": "cutlass",
                "ms": 0.05, "ms_error": 0.001, "max_abs_diff": 0.0, "error": null}, ...]}

A variant that fails (a shape or dtype a backend does not support) gets an entry with "error" set
and no time, so the report shows "-" there and the reason stays in the file.

usage: python torch_linear_bench.py --output torch-results.json [--quick] [--shapes 4096x4096,...]
                                    [--tokens 1,16] [--dtypes F16,BF16]
Needs torch with CUDA (2.1 or later for to_sparse_semi_structured) and an Ampere or newer GPU.
"""

import argparse
import datetime
import json
import math
import os
import sys
import tempfile

SHAPES = ["4096x4096", "11008x4096", "4096x11008", "5120x5120", "13824x5120", "5120x13824",
          "8192x8192", "1024x8192", "28672x8192", "8192x28672"]
TOKENS = [1, 16, 128, 2048, 8192]
DTYPES = ["F16", "BF16"]
IMPLS = ["dense", "cutlass", "cusparselt"]
FORMAT = "prune4j-torch-linear/1"
Z999 = 3.2905  # two-sided 99.9 % normal quantile


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--output", required=True, help="JSON file to write")
    p.add_argument("--quick", action="store_true", help="fewer timed calls per case")
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("--tokens", default=",".join(str(t) for t in TOKENS))
    p.add_argument("--dtypes", default=",".join(DTYPES))
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    for s in args.shapes:
        dims = s.split("x")
        if len(dims) != 2 or not all(d.isdigit() and int(d) > 0 for d in dims):
            p.error("shape '%s' is not OUTxIN" % s)
    args.tokens = [int(t) for t in args.tokens.split(",") if t.strip()]
    args.dtypes = [d.strip().upper() for d in args.dtypes.split(",") if d.strip()]
    for d in args.dtypes:
        if d not in DTYPES:
            p.error("dtype '%s' is not F16 or BF16" % d)
    return args


def prune_24(w):
    """Keeps the 2 largest |w| of every 4 consecutive weights of a row (ties: lower index), zeroes the rest."""
    import torch
    out_f, in_f = w.shape
    groups = w.reshape(out_f, in_f // 4, 4)
    # topk on |w| with the index as a tie-breaker: stable sort of descending magnitudes.
    order = torch.sort(groups.abs().float(), dim=-1, descending=True, stable=True).indices
    keep = torch.zeros_like(groups, dtype=torch.bool)
    keep.scatter_(-1, order[..., :2], True)
    return (groups * keep).reshape(out_f, in_f)


def time_calls(fn, warmup, iters):
    """Mean and 99.9 % half-width in ms of fn(), timed per call with CUDA events on the current stream."""
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    for i in range(iters):
        starts[i].record()
        fn()
        ends[i].record()
    torch.cuda.synchronize()
    times = [s.elapsed_time(e) for s, e in zip(starts, ends)]
    mean = sum(times) / len(times)
    if len(times) > 1:
        var = sum((t - mean) ** 2 for t in times) / (len(times) - 1)
        err = Z999 * math.sqrt(var / len(times))
    else:
        err = float("nan")
    return mean, err


def iterations(quick, out_f, in_f, tokens):
    """Enough calls for a stable mean without spending seconds on the largest cases."""
    flops = 2.0 * out_f * in_f * tokens
    if flops > 1e12:
        return (2, 5) if quick else (5, 20)
    return (5, 20) if quick else (10, 100)


def machine_info(torch):
    props = torch.cuda.get_device_properties(0)
    info = {
        "format_note": "written by benchmarks/python/torch_linear_bench.py",
        "engine": "torch",
        "gpu": "%s (sm_%d%d, %.0f GiB)" % (props.name, props.major, props.minor, props.total_memory / 2**30),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cusparselt": None,
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    try:
        if torch.backends.cusparselt.is_available():
            info["cusparselt"] = str(torch.backends.cusparselt.version())
    except Exception as e:  # older torch: no cusparselt backend module
        info["cusparselt"] = "unavailable: %s" % e
    try:
        with open("/proc/loadavg") as f:
            info["load_before"] = [float(v) for v in f.read().split()[:3]]
    except OSError:
        pass
    return info


def main(argv):
    args = parse_args(argv)
    import torch
    import torch.nn.functional as F
    from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured

    if not torch.cuda.is_available():
        print("torch_linear_bench: no CUDA device visible to torch %s" % torch.__version__, file=sys.stderr)
        return 2
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    machine = machine_info(torch)
    cusparselt_ok = machine["cusparselt"] is not None and not str(machine["cusparselt"]).startswith("unavailable")
    dtypes = {"F16": torch.float16, "BF16": torch.bfloat16}
    results = []
    for dname in args.dtypes:
        dtype = dtypes[dname]
        for shape in args.shapes:
            out_f, in_f = (int(d) for d in shape.split("x"))
            w = prune_24(torch.randn(out_f, in_f, device="cuda", dtype=dtype) * 0.02)
            sparse = {}
            errors = {}
            for impl, force_cutlass in (("cutlass", True), ("cusparselt", False)):
                if impl == "cusparselt" and not cusparselt_ok:
                    errors[impl] = "cuSPARSELt not available in this torch build"
                    continue
                try:
                    SparseSemiStructuredTensor._FORCE_CUTLASS = force_cutlass
                    sparse[impl] = to_sparse_semi_structured(w)
                except Exception as e:  # shape or dtype not supported by this backend
                    errors[impl] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            for tokens in args.tokens:
                x = torch.randn(tokens, in_f, device="cuda", dtype=dtype)
                warmup, iters = iterations(args.quick, out_f, in_f, tokens)
                reference = F.linear(x, w)
                for impl in IMPLS:
                    entry = {"shape": shape, "tokens": tokens, "dtype": dname, "impl": impl,
                             "ms": None, "ms_error": None, "max_abs_diff": None, "error": None}
                    try:
                        if impl == "dense":
                            fn = lambda: F.linear(x, w)  # noqa: E731
                        elif impl in sparse:
                            ws = sparse[impl]
                            fn = lambda ws=ws: F.linear(x, ws)  # noqa: E731
                        else:
                            raise RuntimeError(errors.get(impl, "not built"))
                        y = fn()
                        entry["max_abs_diff"] = float((y.float() - reference.float()).abs().max())
                        ms, err = time_calls(fn, warmup, iters)
                        entry["ms"] = ms
                        entry["ms_error"] = None if math.isnan(err) else err
                    except Exception as e:
                        entry["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
                    results.append(entry)
                    print("%-4s %-11s %5d tokens %-10s %s" % (dname, shape, tokens, impl,
                          "%.4f ms" % entry["ms"] if entry["ms"] is not None else entry["error"]), flush=True)
                del x, reference
            del w, sparse
            torch.cuda.empty_cache()
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    machine["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with open("/proc/loadavg") as f:
            machine["load_after"] = [float(v) for v in f.read().split()[:3]]
    except OSError:
        pass
    doc = {"format": FORMAT, "machine": machine, "results": results}
    out = os.path.abspath(args.output)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(out), prefix="." + os.path.basename(out), suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, out)
    print("torch_linear_bench: wrote %s (%d results)" % (out, len(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
