#!/usr/bin/env bash
# The commands that produced this folder, run from the repository root on the 2-core build machine
# (AMD EPYC, Zen 4, 32 MiB L3, 24 GiB; a VM whose memory is shared with other machines) with no other
# job of ours running. Order: PyTorch decode, prune4j decode, PyTorch prefill, prune4j prefill,
# PyTorch decode again (drift-check/: how much the machine moved while we measured); load.log has
# `uptime` before and after every step.
set -euo pipefail
OUT=${OUT:-benchmarks/results/2026-12-02-cpu-linear-quiet}
PY=${PY:-$HOME/.cache/smollm-ref-venv/bin/python}   # PyTorch 2.15.0 CPU, benchmark-only
export PRUNE4J_PYTHON=${PRUNE4J_PYTHON:-$HOME/.cache/prune4j/venv/bin/python}
DECODE=4096x4096,11008x4096,4096x11008,5120x5120,13824x5120,5120x13824
PREFILL=4096x4096,11008x4096
mkdir -p "$OUT/drift-check"
step() { echo "$(date -u +%FT%TZ) $1 | $(uptime)" | tee -a "$OUT/load.log"; }
step "start"
$PY benchmarks/python/torch_linear_bench.py --device cpu --shapes $DECODE --tokens 1,16 --dtypes F16,BF16 \
    --jsonl "$OUT/torch-cpu-decode.jsonl"
step "torch decode done"
./prune4j bench --engine cpu --quick --include LinearBench --shapes $DECODE --tokens 1,16 --dtypes F16,BF16 \
    --output "$OUT/prune4j-decode"
step "prune4j decode done"
$PY benchmarks/python/torch_linear_bench.py --device cpu --shapes $PREFILL --tokens 128,2048 --dtypes F16,BF16 \
    --jsonl "$OUT/torch-cpu-prefill.jsonl"
step "torch prefill done"
./prune4j bench --engine cpu --quick --include LinearBench --shapes $PREFILL --tokens 128,2048 --dtypes F16,BF16 \
    --output "$OUT/prune4j-prefill"
step "prune4j prefill done"
$PY benchmarks/python/torch_linear_bench.py --device cpu --shapes $DECODE --tokens 1,16 --dtypes F16,BF16 \
    --jsonl "$OUT/drift-check/torch-cpu-decode-repeat.jsonl"
step "torch decode repeat done"
./prune4j report --input "$OUT/prune4j-decode" --input "$OUT/prune4j-prefill" --input "$OUT/torch-cpu-decode.jsonl" \
    --input "$OUT/torch-cpu-prefill.jsonl" --output "$OUT"
step "report done"
