#!/usr/bin/env python3
"""PyTorch side of the dense vs 2:4 linear-layer report: the GPU machine, or the CPU (--device cpu).

Measures Y = X W^T on the ARCHITECTURE.md projection shapes (out x in), token counts 1, 16, 2048 and
8192 by default, in float16 and bfloat16, with the same magnitude-2:4-pruned weight three ways:

  dense       torch.nn.functional.linear(x, w)
  cutlass     w as torch.sparse.to_sparse_semi_structured(w) with
              SparseSemiStructuredTensor._FORCE_CUTLASS = True
  cusparselt  the same with _FORCE_CUTLASS = False (cuSPARSELt; an error entry when
              torch.backends.cusparselt is not available)

Timing, the same method as prune4j's GpuGemmBench so that the two sit side by side: at least one
second of warm-up matrix products before the first case (clocks ramp up), then per case a few
untimed calls, and for every timed call the L2 flushed first (a buffer of 256 MiB, four times the
H200's L2, is zeroed), CUDA events recorded around the call alone; the median is reported ("ms"),
with the 10th and 90th percentiles.

Output, either or both:
  --jsonl FILE   JSON lines (format "prune4j-torch-linear/2"), appended as each case finishes, so a
                 run stopped by a timeout keeps what it measured: a "header" line (the machine), one
                 "result" line per shape, tokens, dtype and implementation, an "end" line.
  --output FILE  the whole run as one JSON document at the end (format "prune4j-torch-linear/1").
`./prune4j report` reads both. A variant that fails (a shape or dtype a backend does not support)
gets "error" set and no time, so the report shows "-" there and the reason stays in the file.

--deadline EPOCH_S (or PRUNE4J_STAGE_DEADLINE) stops before a shape whose cases would not finish in
time, with an "end" line saying so. --dry-run writes the header and end lines without importing
torch or touching a GPU (the GPU script's dry run checks its plumbing this way).

--device cpu times the dense F.linear on the CPU the way prune4j's CPU pairs are timed
(LinearPairsBench, `./prune4j bench --engine cpu --include LinearBench`): torch.set_num_threads
(--threads, default every CPU); enough copies of W, X and Y, used in turn, that together they exceed
twice the last-level cache (read from /sys, 32 MiB if unreadable; at most 16 copies), so no call finds
its weight cached (F.linear allocates Y, which the allocator reuses); warm-up calls for --warmup-s (at least 2 calls), then every call timed alone for
--min-time seconds (at least 5 calls); "ms" is the median wall time, with the 10th and 90th
percentiles. The header's machine gets the streaming read bandwidth of the same threads (the fastest
of 7 torch sums over 1 GiB of F32, as the Java side takes the fastest of its reads). CPU PyTorch has
no 2:4 kernels, so only "dense" runs; result lines carry "device": "cpu" so the report puts them in
the CPU table.

usage: python torch_linear_bench.py (--jsonl FILE | --output FILE) [--quick] [--shapes 4096x4096,...]
                                    [--tokens 1,16] [--dtypes F16,BF16] [--deadline EPOCH_S] [--dry-run]
                                    [--device cuda|cpu] [--threads N] [--min-time 2] [--warmup-s 1]
Needs torch with CUDA (2.1 or later for to_sparse_semi_structured) and an Ampere or newer GPU, or
for --device cpu any torch 2.x.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

SHAPES = ["4096x4096", "11008x4096", "4096x11008", "5120x5120", "13824x5120", "5120x13824",
          "8192x8192", "1024x8192", "28672x8192", "8192x28672"]
TOKENS = [1, 16, 2048, 8192]
DTYPES = ["F16", "BF16"]
IMPLS = ["dense", "cutlass", "cusparselt"]
FORMAT = "prune4j-torch-linear/1"
LINES_FORMAT = "prune4j-torch-linear/2"
FLUSH_BYTES = 256 << 20
WARMUP_S = 1.0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--output", help="JSON file to write at the end")
    p.add_argument("--jsonl", help="JSON-lines file to append to as cases finish")
    p.add_argument("--quick", action="store_true", help="fewer timed calls per case")
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("--tokens", default=",".join(str(t) for t in TOKENS))
    p.add_argument("--dtypes", default=",".join(DTYPES))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--deadline", type=float, default=None, help="epoch seconds to finish by")
    p.add_argument("--dry-run", action="store_true", help="header and end lines only, no torch")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: every CPU)")
    p.add_argument("--min-time", type=float, default=2.0, help="CPU: seconds of timed calls per case")
    p.add_argument("--warmup-s", type=float, default=1.0, help="CPU: seconds of warm-up calls per case")
    args = p.parse_args(argv)
    if not args.output and not args.jsonl:
        p.error("--jsonl FILE or --output FILE is required")
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    for s in args.shapes:
        dims = s.split("x")
        if len(dims) != 2 or not all(d.isdigit() and int(d) > 0 for d in dims):
            p.error("shape '%s' is not OUTxIN" % s)
    try:
        args.tokens = [int(t) for t in args.tokens.split(",") if t.strip()]
    except ValueError:
        p.error("--tokens needs integers, got '%s'" % args.tokens)
    if not args.tokens or any(t <= 0 for t in args.tokens):
        p.error("--tokens needs positive integers")
    args.dtypes = [d.strip().upper() for d in args.dtypes.split(",") if d.strip()]
    for d in args.dtypes:
        if d not in DTYPES:
            p.error("dtype '%s' is not F16 or BF16" % d)
    if args.deadline is None and os.environ.get("PRUNE4J_STAGE_DEADLINE"):
        args.deadline = float(os.environ["PRUNE4J_STAGE_DEADLINE"])
    return args


class Lines:
    """Appends one JSON object per line, each flushed to the OS as it is written."""

    def __init__(self, path):
        self.path = path
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            os.makedirs(folder, exist_ok=True)

    def write(self, kind, **fields):
        if not self.path:
            return
        line = {"format": LINES_FORMAT, "kind": kind}
        line.update(fields)
        with open(self.path, "a") as f:
            f.write(json.dumps(line, allow_nan=False) + "\n")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return [float(v) for v in f.read().split()[:3]]
    except OSError:
        return None


def prune_24(w):
    """Keeps the 2 largest |w| of every 4 consecutive weights of a row (ties: lower index), zeroes the rest."""
    import torch
    out_f, in_f = w.shape
    groups = w.reshape(out_f, in_f // 4, 4)
    order = torch.sort(groups.abs().float(), dim=-1, descending=True, stable=True).indices
    keep = torch.zeros_like(groups, dtype=torch.bool)
    keep.scatter_(-1, order[..., :2], True)
    return (groups * keep).reshape(out_f, in_f)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    pos = p / 100.0 * (len(sorted_values) - 1)
    lo, hi = int(pos), min(int(pos) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def time_calls(torch, fn, flush, warmup, iters):
    """Median, p10, p90 in ms of fn(), each call alone between CUDA events, the L2 flushed before it."""
    for _ in range(warmup):
        fn()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    for i in range(iters):
        flush.zero_()
        starts[i].record()
        fn()
        ends[i].record()
    torch.cuda.synchronize()
    times = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return percentile(times, 50), percentile(times, 10), percentile(times, 90)


def iterations(quick, estimate_ms):
    """About 100 ms of timed calls per case (50 when quick), 10 to 100 calls."""
    target = 50.0 if quick else 100.0
    return 3, max(10, min(100, int(target / max(estimate_ms, 1e-3))))


def machine_info(torch):
    props = torch.cuda.get_device_properties(0)
    info = {
        "format_note": "written by benchmarks/python/torch_linear_bench.py",
        "engine": "torch",
        "engine_description": "torch %s (CUDA %s)" % (torch.__version__, torch.version.cuda),
        "gpu": "%s (sm_%d%d, %.0f GiB)" % (props.name, props.major, props.minor, props.total_memory / 2**30),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cusparselt": None,
        "started": now(),
        "load_before": load_average(),
    }
    try:
        if torch.backends.cusparselt.is_available():
            info["cusparselt"] = str(torch.backends.cusparselt.version())
    except Exception as e:  # older torch: no cusparselt backend module
        info["cusparselt"] = "unavailable: %s" % e
    return info


def warm_up(torch):
    """At least WARMUP_S of large matrix products, so the first case does not run at idle clocks."""
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.float16)
    start = time.time()
    while time.time() - start < WARMUP_S:
        for _ in range(20):
            a @ a
        torch.cuda.synchronize()
    del a


def shape_fits(deadline, out_f, in_f, tokens, n_impls):
    """Whether one shape's cases (compression, about 150 ms per case) should finish before the deadline."""
    if deadline is None:
        return True
    estimate = 1.0 + n_impls * len(tokens) * 0.25 + 3e-9 * out_f * in_f
    return time.time() + estimate < deadline


def dry_run(args, lines):
    planned = len(args.shapes) * len(args.tokens) * len(args.dtypes) * len(IMPLS)
    lines.write("header", machine={"engine": "torch", "engine_description": "torch (dry run: not imported)",
                                   "started": now()},
                dry_run=True, cases_planned=planned, shapes=args.shapes, tokens=args.tokens, dtypes=args.dtypes)
    lines.write("end", dry_run=True, cases=0, finished=now())
    print("torch_linear_bench --dry-run: %d cases planned" % planned, flush=True)
    return 0


# ---- CPU ----------------------------------------------------------------------------------------

CPU_MAX_COPIES = 16
CPU_DEFAULT_CACHE = 32 << 20


def cpu_cache_bytes():
    """The last-level data cache from /sys (as LastLevelCache.cpuBytes does), else 32 MiB."""
    best, best_level = -1, -1
    for i in range(8):
        d = "/sys/devices/system/cpu/cpu0/cache/index%d" % i
        try:
            with open(d + "/level") as f:
                level = int(f.read().strip())
            with open(d + "/type") as f:
                kind = f.read().strip()
            with open(d + "/size") as f:
                text = f.read().strip().upper()
        except OSError:
            break
        factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        size = int(text[:-1] if factor != 1 else text) * factor
        if kind != "Instruction" and level > best_level:
            best, best_level = size, level
    return best if best > 0 else CPU_DEFAULT_CACHE


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def ram_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def cpu_read_gbs(torch, nbytes=1 << 30, reads=7):
    """Streaming read bandwidth of the current torch threads: the fastest of `reads` sums over nbytes of F32."""
    a = torch.ones(nbytes // 4, dtype=torch.float32)
    for _ in range(2):
        a.sum()
    times = []
    for _ in range(reads):
        t = time.perf_counter()
        a.sum()
        times.append(time.perf_counter() - t)
    del a
    return nbytes / min(times) / 1e9, times


def cpu_time_calls(fn, copies, warmup_s, min_time):
    """Median, p10, p90 in ms and the count of fn(c) over copies c = 0, 1, ... in turn, each call timed alone."""
    i = 0
    start = time.perf_counter()
    while i < 2 or time.perf_counter() - start < warmup_s:
        fn(i % copies)
        i += 1
    warm = i
    times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < min_time and len(times) < 10000):
        c = i % copies
        i += 1
        t = time.perf_counter()
        fn(c)
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return percentile(times, 50), percentile(times, 10), percentile(times, 90), len(times), warm


def main_cpu(args, lines):
    import platform
    import torch
    import torch.nn.functional as F
    threads = args.threads or os.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    cache = cpu_cache_bytes()
    gbs, read_s = cpu_read_gbs(torch)
    machine = {
        "format_note": "written by benchmarks/python/torch_linear_bench.py --device cpu",
        "engine": "torch-cpu",
        "engine_description": "torch %s (CPU, %d threads)" % (torch.__version__, threads),
        "cpu": cpu_model() or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gib": ram_gib(),
        "torch": torch.__version__,
        "threads": threads,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cache_bytes": cache,
        "bandwidth_gbs": round(gbs, 2),
        "bandwidth_note": "fastest of 7 torch sums over 1 GiB of F32 on %d threads" % threads,
        "bandwidth_read_s": [round(t, 5) for t in read_s],
        "started": now(),
        "load_before": load_average(),
    }
    method = ("per case: copies of W, X and Y used in turn, together beyond twice the %d MiB last-level cache (at "
              "most %d); %.1f s of warm-up calls, then every call timed alone for %.1f s (at least 5); medians"
              % (cache >> 20, CPU_MAX_COPIES, args.warmup_s, args.min_time))
    lines.write("header", machine=machine, method=method, shapes=args.shapes, tokens=args.tokens, dtypes=args.dtypes,
                cases_planned=len(args.shapes) * len(args.tokens) * len(args.dtypes))
    print("torch cpu: %d threads, %.1f GB/s read bandwidth, last-level cache %d MiB" % (threads, gbs, cache >> 20),
          flush=True)
    dtypes = {"F16": torch.float16, "BF16": torch.bfloat16}
    results = []
    stopped = None
    with torch.inference_mode():
        for dname in args.dtypes:
            dtype = dtypes[dname]
            for shape in args.shapes:
                out_f, in_f = (int(d) for d in shape.split("x"))
                if stopped is None and not shape_fits(args.deadline, out_f, in_f, args.tokens, 1):
                    stopped = "deadline"
                if stopped:
                    continue
                base = prune_24(torch.randn(out_f, in_f, dtype=torch.float32) * 0.02).to(dtype)
                for tokens in args.tokens:
                    e = base.element_size()
                    per_copy = e * (out_f * in_f + tokens * (in_f + out_f))
                    copies = int(max(1, min(CPU_MAX_COPIES, -(-2 * cache // per_copy))))
                    ws = [base] + [base.clone() for _ in range(copies - 1)]
                    xs = [torch.randn(tokens, in_f, dtype=dtype) for _ in range(copies)]
                    entry = {"device": "cpu", "shape": shape, "tokens": tokens, "dtype": dname, "impl": "dense",
                             "ms": None, "ms_p10": None, "ms_p90": None, "copies": copies, "threads": threads,
                             "max_abs_diff": None, "error": None}
                    t0 = time.time()
                    try:
                        if tokens <= 16:  # the F32 reference costs more than the case at prefill sizes
                            ref = xs[0].float() @ base.float().t()
                            entry["max_abs_diff"] = float((F.linear(xs[0], base).float() - ref).abs().max())
                        ms, p10, p90, n, warm = cpu_time_calls(lambda c: F.linear(xs[c], ws[c]), copies, args.warmup_s,
                                                               args.min_time)
                        entry.update(ms=ms, ms_p10=p10, ms_p90=p90, iterations=n, warmup_calls=warm)
                    except Exception as ex:
                        entry["error"] = "%s: %s" % (type(ex).__name__, str(ex).splitlines()[0] if str(ex) else "")
                    entry["elapsed_s"] = round(time.time() - t0, 2)
                    results.append(entry)
                    lines.write("result", **entry)
                    print("%-4s %-11s %5d tokens dense  %s  (%d copies)" % (dname, shape, tokens,
                          "%.4f ms" % entry["ms"] if entry["ms"] is not None else entry["error"], copies), flush=True)
                    del ws, xs
                del base
    machine["finished"] = now()
    machine["load_after"] = load_average()
    lines.write("end", cases=len(results), stopped=stopped, finished=machine["finished"], load_after=machine["load_after"])
    return {"format": FORMAT, "machine": machine, "results": [dict(r, ms_error=None) for r in results]}


def write_json(doc, output):
    out = os.path.abspath(output)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(out), prefix="." + os.path.basename(out), suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, out)


def main(argv):
    args = parse_args(argv)
    lines = Lines(args.jsonl)
    if args.dry_run:
        return dry_run(args, lines)
    if args.device == "cpu":
        doc = main_cpu(args, lines)
        if args.output:
            write_json(doc, args.output)
        print("torch_linear_bench: %d results" % len(doc["results"]))
        return 0
    import torch
    import torch.nn.functional as F
    from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured

    if not torch.cuda.is_available():
        print("torch_linear_bench: no CUDA device visible to torch %s" % torch.__version__, file=sys.stderr)
        lines.write("header", machine={"engine": "torch", "torch": torch.__version__, "started": now()})
        lines.write("end", cases=0, stopped="no CUDA device visible to torch", finished=now())
        return 2
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    machine = machine_info(torch)
    method = ("warm-up %.0f s; per case 3 untimed calls, then each timed call alone between CUDA events with the "
              "L2 flushed before it (%d MiB zeroed); medians" % (WARMUP_S, FLUSH_BYTES >> 20))
    lines.write("header", machine=machine, method=method, shapes=args.shapes, tokens=args.tokens, dtypes=args.dtypes,
                cases_planned=len(args.shapes) * len(args.tokens) * len(args.dtypes) * len(IMPLS))
    cusparselt_ok = machine["cusparselt"] is not None and not str(machine["cusparselt"]).startswith("unavailable")
    dtypes = {"F16": torch.float16, "BF16": torch.bfloat16}
    flush = torch.empty(FLUSH_BYTES // 4, device="cuda", dtype=torch.float32)
    warm_up(torch)
    results = []
    stopped = None
    for dname in args.dtypes:
        dtype = dtypes[dname]
        for shape in args.shapes:
            out_f, in_f = (int(d) for d in shape.split("x"))
            if stopped is None and not shape_fits(args.deadline, out_f, in_f, args.tokens, len(IMPLS)):
                stopped = "deadline"
            if stopped:
                continue
            w = prune_24(torch.randn(out_f, in_f, device="cuda", dtype=dtype) * 0.02)
            sparse, errors = {}, {}
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
                reference = F.linear(x, w)
                for impl in IMPLS:
                    entry = {"shape": shape, "tokens": tokens, "dtype": dname, "impl": impl,
                             "ms": None, "ms_p10": None, "ms_p90": None, "max_abs_diff": None, "error": None}
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
                        first, _, _ = time_calls(torch, fn, flush, 1, 3)
                        warmup, iters = iterations(args.quick, first)
                        entry["ms"], entry["ms_p10"], entry["ms_p90"] = time_calls(torch, fn, flush, warmup, iters)
                        entry["iterations"] = iters
                    except Exception as e:
                        entry["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
                    results.append(entry)
                    lines.write("result", **entry)
                    print("%-4s %-11s %5d tokens %-10s %s" % (dname, shape, tokens, impl,
                          "%.4f ms" % entry["ms"] if entry["ms"] is not None else entry["error"]), flush=True)
                del x, reference
            del w, sparse
            torch.cuda.empty_cache()
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    machine["finished"] = now()
    machine["load_after"] = load_average()
    lines.write("end", cases=len(results), stopped=stopped, finished=machine["finished"])
    if args.output:
        # The whole-document format of earlier runs keeps its mean-named fields: "ms" is the median here.
        doc = {"format": FORMAT, "machine": machine,
               "results": [dict(r, ms_error=None) for r in results]}
        out = os.path.abspath(args.output)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(out), prefix="." + os.path.basename(out), suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, out)
    print("torch_linear_bench: %d results%s" % (len(results), " (stopped: %s)" % stopped if stopped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
