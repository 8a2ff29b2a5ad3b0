#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with target/gpu-bundle carried there
# (benchmarks/gpu/bundle.sh builds it). Runs the gpu-tagged tests (every CUDA kernel against the
# CPU engine, the GEMMs against a reference) and the library-call tests with the bundled Java
# runtime and JUnit's console launcher, then the GEMM benchmark (GpuGemmBench: dense cuBLASLt vs
# 2:4 per shape, tokens and dtype), and writes to $OUT:
#   summary.txt        device, driver, test counts, exit status
#   gpu-tests.log      the launcher's full output
#   gpu-gemm.json      the benchmark's results; gpu-gemm.log its table (PRUNE4J_GEMM_BENCH=0 skips it;
#                      PRUNE4J_GEMM_TOKENS=1,16 narrows it)
#   junit/             JUnit XML reports
#   nvidia-smi.txt
# Exits non-zero when a test failed, or when tests were skipped although a GPU is present.
set -uo pipefail
cd "$(dirname "$0")/../.."
bundle="${PRUNE4J_BUNDLE:-target/gpu-bundle}"
out="${OUT:-$bundle/out}"
mkdir -p "$out/junit"

java="$bundle/runtime/bin/java"
if [ ! -x "$java" ]; then
  echo "no bundle at $bundle: run benchmarks/gpu/bundle.sh on the build machine and carry target/gpu-bundle" \
    | tee "$out/summary.txt" >&2
  exit 2
fi

nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
gpu_present=0
if nvidia-smi -L > /dev/null 2>&1; then
  gpu_present=1
fi

cp="$bundle/lib/prune4j-core.jar:$bundle/lib/prune4j-bindings.jar:$bundle/test-classes/core:$bundle/test-classes/bindings"
start=$(date +%s)
# The core jar carries libprune4j.so, so the loader finds it as a resource (as users' jars will).
"$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx8g \
  -jar "$bundle/lib/junit-platform-console-standalone.jar" execute \
  --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
  --class-path "$cp" \
  --select-class dev.prune4j.engine.CudaEngineGpuTest \
  --select-class dev.prune4j.engine.CudaEngineAvailabilityTest \
  --select-class dev.prune4j.bindings.LibraryCallsTest \
  --select-class dev.prune4j.sparse.CudaLinearKernelsGpuTest \
  --reports-dir "$out/junit" \
  > "$out/gpu-tests.log" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))

bench_status=skipped
if [ "${PRUNE4J_GEMM_BENCH:-1}" != 0 ] && [ "$gpu_present" -eq 1 ]; then
  "$java" --enable-native-access=ALL-UNNAMED -Xmx16g \
    -cp "$bundle/lib/prune4j-benchmarks.jar:$bundle/lib/prune4j-core.jar:$bundle/lib/prune4j-bindings.jar" \
    dev.prune4j.bench.GpuGemmBench "$out/gpu-gemm.json" "${PRUNE4J_GEMM_TOKENS:-1,16,128,2048,8192}" \
    > "$out/gpu-gemm.log" 2>&1
  bench_status=$?
fi

{
  echo "prune4j gpu run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "device: $(nvidia-smi -L 2>/dev/null | head -1 || echo none)"
  echo "driver: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || echo none)"
  grep -m1 '^gpu tests on' "$out/gpu-tests.log" || echo "gpu tests on: (no device opened)"
  # The launcher's closing table: tests found / successful / skipped / failed ...
  grep -E '^\[ *[0-9]+ tests (found|successful|skipped|failed|aborted) *\]' "$out/gpu-tests.log"
  echo "launcher exit status: $status, ${elapsed} s"
  echo "gemm benchmark exit status: $bench_status"
} > "$out/summary.txt"

# A test whose assumption fails (no usable device) is "aborted" to the launcher, a disabled one "skipped".
count() { grep -E "^\[ *[0-9]+ tests $1" "$out/gpu-tests.log" | grep -oE '[0-9]+' | head -1; }
n_skipped=$(count skipped)
n_aborted=$(count aborted)
skipped=$(( ${n_skipped:-0} + ${n_aborted:-0} ))
if [ "$status" -eq 0 ] && [ "$gpu_present" -eq 1 ] && [ "$skipped" -gt 0 ]; then
  echo "FAIL: a GPU is present but $skipped tests were skipped (see gpu-tests.log)" >> "$out/summary.txt"
  status=3
fi
# --- benchmarks (issue 6): the quick GPU suite (JMH, engine cuda) and PyTorch's dense / CUTLASS 2:4 /
# cuSPARSELt 2:4 on the same shapes, merged into one report. The device tool brings back at most 8
# files from $OUT, so $OUT gets bench-report.md and bench.tar.gz (report.md, plots, JSON, log).
# PRUNE4J_SKIP_BENCH=1 leaves this out; PRUNE4J_BENCH_TIMEOUT bounds the JMH part (seconds; the quick
# GPU profile is planned at about 5 minutes), so tests + benchmarks fit the device tool's 10-minute call.
if [ "${PRUNE4J_SKIP_BENCH:-0}" != 1 ] && [ -f "$bundle/lib/prune4j-benchmarks.jar" ]; then
  bench="$out/bench"
  mkdir -p "$bench"
  bench_cp="$bundle/lib/prune4j-benchmarks.jar:$bundle/lib/prune4j-core.jar:$bundle/lib/prune4j-bindings.jar"
  for j in "$bundle"/lib/bench/*.jar; do bench_cp="$bench_cp:$j"; done
  bench_java=("$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx16g
    -cp "$bench_cp" dev.prune4j.bench.BenchMain)
  engine=cpu
  [ "$gpu_present" -eq 1 ] && engine=cuda
  # shellcheck disable=SC2086  # PRUNE4J_BENCH_ARGS: extra options, e.g. "--include LinearBench"
  timeout "${PRUNE4J_BENCH_TIMEOUT:-360}" "${bench_java[@]}" bench --engine "$engine" --quick ${PRUNE4J_BENCH_ARGS:-} \
    --output "$bench" > "$bench/bench.log" 2>&1
  bench_status=$?
  py=/opt/torch/.venv/bin/python
  [ -x "$py" ] || py=python3
  timeout 150 "$py" benchmarks/python/torch_linear_bench.py --quick --output "$bench/torch-results.json" \
    > "$bench/torch.log" 2>&1
  torch_status=$?
  inputs=()
  # .jmh-*.json: the finished parts of a suite that ran out of time (merged and removed when it completes).
  for f in "$bench"/jmh-results.json "$bench"/.jmh-*.json "$bench"/machine.json "$bench"/torch-results.json; do
    [ -s "$f" ] && inputs+=(--input "$f")
  done
  report_status=1
  if [ "${#inputs[@]}" -gt 0 ]; then
    "${bench_java[@]}" report "${inputs[@]}" --output "$bench" >> "$bench/bench.log" 2>&1
    report_status=$?
  fi
  [ -f "$bench/report.md" ] && cp "$bench/report.md" "$out/bench-report.md"
  tar -czf "$out/bench.tar.gz" -C "$out" bench && rm -rf "$bench"
  echo "benchmarks ($engine): jmh exit $bench_status, torch exit $torch_status, report exit $report_status" \
    >> "$out/summary.txt"
fi
# --- end benchmarks ---

cat "$out/summary.txt"
exit "$status"
