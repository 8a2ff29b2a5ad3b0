#!/usr/bin/env bash
# The one device call: run on the GPU machine from the repository root, with target/gpu-bundle
# carried there (benchmarks/gpu/bundle.sh builds it here). Stages in order of value, each a name, a
# timeout and a command (see the stage list at the end), the whole within PRUNE4J_GPU_BUDGET_S (450 s):
#
#   env            nvidia-smi, the Java runtime, libprune4j, cuBLASLt, cuSPARSELt, device 0
#   gpu-tests      java/cuda's tests (gpu-tagged kernels against the CPU engine and a reference,
#                  device memory and lifetime) and the bindings' tests, JUnit's console launcher
#   sanitizer      compute-sanitizer memcheck (with leak check) over a small subset of them
#   gemm-bench     GpuGemmBench: dense cuBLASLt vs 2:4, kernel times, byte limit, decode threshold
#   pruning-bench  the pruning kernels through JMH on the cuda engine (MaskBench, and CalibrationBenchmark:
#                  Wanda, SparseGPT and the Hessian over 128 x 2048 tokens on the LLaMA-7B layers;
#                  PRUNE4J_PRUNING_INCLUDE overrides the selection)
#   torch          benchmarks/python/torch_linear_bench.py on the same shapes, same method
#   torch-pruning  benchmarks/python/pruning_torch_bench.py: the reference Wanda and SparseGPT in
#                  PyTorch on the GPU, on CalibrationBenchmark's layers and tokens
#   report         report.md from every JSON-lines file (no plots: no java.desktop here; draw them
#                  back home with ./prune4j report), and one line per GEMM case into the summary
#
# $OUT (the device tool's; target/gpu-out elsewhere) gets exactly two files, whatever happens:
#   summary.txt        written first, appended after every stage: status, time, key lines
#   results.tar.gz     everything else (logs, JSON lines, JUnit XML, report.md), rewritten after every
#                      stage, so a run cut off by the device tool's 10-minute limit still returns it
# Benchmarks append one JSON line per case as it finishes, so a stage stopped by its timeout keeps
# what it measured; each also gets its stage's end (PRUNE4J_STAGE_DEADLINE) and stops starting cases
# that would not fit.
#
# usage: bash benchmarks/gpu/run.sh [--dry-run]
#   --dry-run  every stage's plumbing without a GPU (tests report skipped, benchmarks write their
#              header lines), then checks the promises above: files in $OUT, their sizes, the summary
#              lines, the time. CI runs it on every submission.
# Environment: PRUNE4J_BUNDLE (target/gpu-bundle), PRUNE4J_GPU_BUDGET_S (450), PRUNE4J_GEMM_TOKENS
# (1,16,2048,8192), PRUNE4J_GEMM_DTYPES (F16,BF16), PRUNE4J_GEMM_SHAPES, PRUNE4J_GEMM_WARMUP_MS (1000),
# PRUNE4J_PRUNING_INCLUDE, PRUNE4J_PYTHON, PRUNE4J_SANITIZER (path of compute-sanitizer).
# Exit status: 0 every stage ok; 1 a stage failed or timed out; 2 no bundle; 4 a dry-run promise broken.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
dry=0
case "${1:-}" in
  --dry-run) dry=1 ;;
  "") ;;
  *) echo "usage: bash benchmarks/gpu/run.sh [--dry-run]" >&2; exit 2 ;;
esac
bundle="$(cd "${PRUNE4J_BUNDLE:-target/gpu-bundle}" 2>/dev/null && pwd || echo "${PRUNE4J_BUNDLE:-target/gpu-bundle}")"
out="${OUT:-$root/target/gpu-out}"
budget="${PRUNE4J_GPU_BUDGET_S:-450}"
run_start=$(date +%s)
run_end=$((run_start + budget))
# Work outside $OUT: only summary.txt and the tarball may ever be there.
work="$(mktemp -d "${TMPDIR:-/tmp}/prune4j-gpu.XXXXXX")"
mkdir -p "$out" "$work/results"
results="$work/results"
summary="$out/summary.txt"
tarball="$out/results.tar.gz"
rm -f "$summary" "$tarball"

java="$bundle/runtime/bin/java"
if [ ! -x "$java" ]; then
  echo "no bundle at $bundle: run benchmarks/gpu/bundle.sh on the build machine and carry target/gpu-bundle" \
    | tee "$summary" >&2
  exit 2
fi
lib="$bundle/lib"
deps="$(ls "$lib"/deps/*.jar 2>/dev/null | tr '\n' ':')"
bench_cp="$lib/prune4j-benchmarks.jar:$lib/prune4j-core.jar:$lib/prune4j-cuda.jar:$lib/prune4j-models.jar"
bench_cp="$bench_cp:$lib/prune4j-bindings.jar:$deps"
test_cp="$bundle/test-classes/cuda:$bundle/test-classes/bindings:$lib/prune4j-core-tests.jar:$lib/prune4j-core.jar"
test_cp="$test_cp:$lib/prune4j-cuda.jar:$lib/prune4j-bindings.jar"
# The JVM flags every run of our code needs: FFM downcalls and the (incubating) Vector API.
jflags="--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Djava.awt.headless=true"
python="${PRUNE4J_PYTHON:-}"
if [ -z "$python" ]; then
  python=python3
  [ -x /opt/torch/.venv/bin/python3 ] && python=/opt/torch/.venv/bin/python3
fi
export PYTHONUNBUFFERED=1
gpu_present=0
nvidia-smi -L > /dev/null 2>&1 && gpu_present=1

say() { echo "$*" >> "$summary"; }

{
  echo "prune4j gpu run$([ "$dry" -eq 1 ] && echo ' (dry run)') $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "bundle: $(sed -n 2p "$bundle/BUNDLE.txt" 2>/dev/null || echo 'no BUNDLE.txt'); budget ${budget} s"
  echo "gpu: $(nvidia-smi -L 2>/dev/null | head -1 || true)$([ "$gpu_present" -eq 0 ] && echo none)"
} > "$summary"

# Packs everything but the summary; written beside the tarball and renamed, so $OUT never holds
# a half-written tarball or more than three files.
pack() {
  tar -czf "$out/.results.tar.gz.tmp" -C "$work" results 2>/dev/null && mv -f "$out/.results.tar.gz.tmp" "$tarball"
}

# stage NAME TIMEOUT_S COMMAND...: runs COMMAND (a function below, or a program) under `timeout`
# with its output in results/NAME.log and these in its environment: STAGE_SUMMARY (a file whose
# lines go into summary.txt), PRUNE4J_STAGE_DEADLINE (its end, epoch seconds, for benchmarks),
# STAGE_TIMEOUT. Then summary_NAME, if defined, adds lines from what the stage left (also after a
# timeout). A stage gets at most what is left of the budget (10 s kept for the last packing); exit
# status 200 from a command means "skipped, and why is in its summary". A new stage is one line in
# the list at the end, and a function here.
stages_run=()
failed=0
stage() {
  local name=$1 limit=$2
  shift 2
  local left=$((run_end - $(date +%s) - 10))
  stages_run+=("$name")
  if [ "$left" -lt 5 ]; then
    say "[SKIPPED] $name: no time left in the ${budget} s budget"
    pack
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  local s0 status
  s0=$(date +%s)
  export STAGE_SUMMARY="$work/$name.summary" STAGE_TIMEOUT="$limit" PRUNE4J_STAGE_DEADLINE=$((s0 + limit - 3))
  : > "$STAGE_SUMMARY"
  echo "== $name (timeout ${limit} s) $(date -u +%H:%M:%SZ)" > "$results/$name.log"
  timeout --kill-after=5 "$limit" bash -c '"$@"' stage "$@" >> "$results/$name.log" 2>&1
  status=$?
  local took=$(( $(date +%s) - s0 ))
  # The stage's own summary lines come from summary_NAME (dashes as underscores) when there is one,
  # run after the command and outside its timeout, so a stage that was stopped is summarised too.
  local summarize="summary_${name//-/_}"
  if declare -F "$summarize" > /dev/null; then
    "$summarize" >> "$STAGE_SUMMARY" 2>&1
  fi
  case "$status" in
    0) say "[ok] $name: ${took} s of ${limit} s" ;;
    200) say "[SKIPPED] $name: ${took} s" ;;
    124 | 137) say "[TIMEOUT] $name: stopped after ${took} s (limit ${limit} s)"; failed=1 ;;
    *) say "[FAILED] $name: exit ${status} after ${took} s of ${limit} s (see results/$name.log)"; failed=1 ;;
  esac
  sed 's/^/  /' "$STAGE_SUMMARY" >> "$summary"
  pack
}

# ---- the stages' commands (exported, so `timeout bash -c` can run them) ----

stage_env() {
  {
    echo "# uname"; uname -a
    echo "# nvidia-smi"; nvidia-smi 2>&1 || echo "nvidia-smi: not available"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,power.limit,temperature.gpu \
      --format=csv 2>&1 || true
    echo "# compute-sanitizer"; "$(sanitizer_path)" --version 2>&1 | head -3 || echo "compute-sanitizer: not found"
    echo "# python"; "$python" --version 2>&1
  }
  if [ "$gpu_present" -eq 1 ]; then
    echo "driver: $(nvidia-smi --query-gpu=driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null | head -1)" \
      >> "$STAGE_SUMMARY"
  fi
  echo "# GpuInfo"
  jrun -cp "$bench_cp" dev.prune4j.bench.GpuInfo | tee -a "$STAGE_SUMMARY"
  local s=${PIPESTATUS[0]}
  # 3: no usable device, expected on a dry run
  [ "$s" -eq 0 ] || { [ "$s" -eq 3 ] && [ "$dry" -eq 1 ]; }
}

sanitizer_path() {
  local p="${PRUNE4J_SANITIZER:-}"
  [ -n "$p" ] && { echo "$p"; return; }
  p="$(command -v compute-sanitizer 2>/dev/null || true)"
  [ -z "$p" ] && p="$(ls /usr/local/cuda*/bin/compute-sanitizer /opt/nvidia/*/compute-sanitizer 2>/dev/null | head -1)"
  echo "${p:-compute-sanitizer}"
}

# The launcher with the bundle's tests: junit REPORTS_DIR [JVM -D options, then --] LAUNCHER ARGS.
# The JUnit XML reports go to REPORTS_DIR, inside results/ (so into the tarball, not into $OUT).
junit() {
  local reports=$1
  shift
  local props=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do props+=("$1"); shift; done
  shift
  jrun -Xmx24g -Dprune4j.header="$root/native/include/prune4j.h" -Dprune4j.native.build="$work/native" "${props[@]}" \
    -jar "$lib/junit-platform-console-standalone.jar" execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii --include-engine=junit-jupiter \
    --class-path "$test_cp" --reports-dir "$reports" "$@"
}

# Test counts from the launcher's closing table; when it was killed before the table, from the tree.
test_summary() {
  local log=$1
  if grep -qE '^\[ *[0-9]+ tests found' "$log"; then
    grep -E '^\[ *[0-9]+ tests (found|successful|skipped|aborted|failed) *\]' "$log" | tr -s ' ' | tr '\n' ' '
    echo
  else
    echo "launcher stopped before its summary: $(grep -c '\[OK\]' "$log") ok, $(grep -c '\[X\]' "$log") failed," \
      "$(grep -cE '\[S\]|\[A\]' "$log") skipped or aborted so far"
  fi
  grep -E '\[X\]' "$log" | head -12 | sed 's/^[ |+`-]*/failed: /'
}

stage_gpu_tests() {
  extract_library
  local log="$work/gpu-tests.out"
  # Every test class of java/cuda and of the bindings (new ones join by being there); the
  # ArchitectureTests need ArchUnit, which the bundle leaves out.
  junit "$results/junit" -- --scan-class-path "$bundle/test-classes/cuda:$bundle/test-classes/bindings" \
    --exclude-classname '.*ArchitectureTest' | tee "$log"
  local s=${PIPESTATUS[0]}
  # Skipped for want of a device although there is one: the tests did not run, which is a failure.
  local nodev
  nodev=$(grep -cE 'no usable CUDA device|CUDA is not usable' "$log")
  if [ "$gpu_present" -eq 1 ] && [ "$nodev" -gt 0 ]; then
    echo "FAIL: a GPU is present but $nodev tests skipped for want of a usable device" >> "$STAGE_SUMMARY"
    return 3
  fi
  if [ "$dry" -eq 1 ] && ! grep -qE '^\[ *[1-9][0-9]* tests (skipped|aborted)' "$log"; then
    echo "dry run: expected the gpu tests to report skipped" >> "$STAGE_SUMMARY"
    return 3
  fi
  return "$s"
}

summary_gpu_tests() {
  [ -f "$work/gpu-tests.out" ] || return 0
  test_summary "$work/gpu-tests.out"
  grep -E 'cuSPARSELt (loaded|not available)' "$work/gpu-tests.out" | head -1
}

# libprune4j.so out of the cuda jar, for the loader tests that load it from a file.
extract_library() {
  mkdir -p "$work/native"
  "$python" - "$lib/prune4j-cuda.jar" "$work/native" <<'PY' || true
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    with open(sys.argv[2] + "/libprune4j.so", "wb") as f:
        f.write(z.read("META-INF/native/linux-x86_64/libprune4j.so"))
PY
}

# memcheck with leak check over a few tests of every kind of kernel: small shapes, few cycles
# (memcheck slows kernels by an order of magnitude or more).
stage_sanitizer() {
  extract_library
  # The mask swaps are in it for their scratch slots and the mask words rows share.
  local subset=(--select-class dev.prune4j.cuda.CudaLifetimeGpuTest --select-class dev.prune4j.cuda.CudaLinearKernelsGpuTest
    --select-class dev.prune4j.cuda.CudaEngineGpuTest --select-class dev.prune4j.cuda.CudaMethodKernelsGpuTest
    --include-methodname '.*[.#](planCyclesGiveBackTheirDeviceMemory|aPlanWhoseContextClosedFailsInJavaAndClosesQuietly|oddSizesArePaddedNotRejected|nanIsRejectedByEveryKernelNamingTheTensor|globalSelectionAcrossTensorsMatches|maskSwapsEqualTheCpusBitForBit)')
  local san
  san="$(sanitizer_path)"
  if ! command -v "$san" > /dev/null 2>&1; then
    if [ "$dry" -eq 1 ]; then
      echo "compute-sanitizer not found: the subset ran without it (dry run)" >> "$STAGE_SUMMARY"
      junit "$results/sanitizer-junit" -Dprune4j.gpu.cycles=20 -- "${subset[@]}" > "$work/sanitizer.out" 2>&1
      local s=$?
      cat "$work/sanitizer.out"
      grep -qE '^\[ *[1-9][0-9]* tests found' "$work/sanitizer.out" || { echo "the subset selects no test" >> "$STAGE_SUMMARY"; return 3; }
      return "$s"
    fi
    echo "compute-sanitizer not found (PRUNE4J_SANITIZER, PATH, /usr/local/cuda*/bin): skipped" >> "$STAGE_SUMMARY"
    return 200
  fi
  # shellcheck disable=SC2086
  "$san" --tool memcheck --leak-check full --error-exitcode 99 --print-limit 40 --target-processes all \
    "$java" $jflags -Xmx8g -Dprune4j.gpu.cycles=20 -Dprune4j.header="$root/native/include/prune4j.h" \
    -Dprune4j.native.build="$work/native" -jar "$lib/junit-platform-console-standalone.jar" execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii --include-engine=junit-jupiter \
    --class-path "$test_cp" --reports-dir "$results/sanitizer-junit" "${subset[@]}" > "$work/sanitizer.out" 2>&1
  local s=$?
  cat "$work/sanitizer.out"
  # Seen on gVisor machines: the sanitizer refuses the device. A fact about the machine, not the code.
  if grep -q 'Device not supported' "$work/sanitizer.out"; then
    echo "compute-sanitizer does not support this device here (seen on gVisor): skipped" >> "$STAGE_SUMMARY"
    return 200
  fi
  return "$s"
}

summary_sanitizer() {
  [ -f "$work/sanitizer.out" ] || return 0
  grep -E 'ERROR SUMMARY|LEAK SUMMARY|Device not supported|not supported' "$work/sanitizer.out" | head -4
  test_summary "$work/sanitizer.out"
}

# Case lines written, and how the benchmark ended, from a JSON-lines file.
jsonl_summary() {
  local f=$1
  if [ ! -s "$f" ]; then
    echo "$(basename "$f"): no lines"
    return
  fi
  echo "$(basename "$f"): $(grep -c '"kind": *"header"' "$f") header, $(grep -c '"kind": *"case"' "$f") cases," \
    "$(grep -c '"kind": *"result"' "$f") results, $(grep -c '"kind": *"jmh"' "$f") jmh lines," \
    "$(grep -c '"kind": *"end"' "$f") end$(grep -o '"stopped": *"[^"]*"' "$f" | tail -1 | sed 's/^/; /')"
  grep -o '"decode_max_tokens": *[^,]*' "$f" | head -1
  grep -o '"bandwidth_gbs": *[0-9.]*' "$f" | head -1
}

stage_gemm() {
  local f="$results/gemm.jsonl"
  local args=(--output "$f" --tokens "${PRUNE4J_GEMM_TOKENS:-1,16,2048,8192}" --dtypes "${PRUNE4J_GEMM_DTYPES:-F16,BF16}"
    --warmup-ms "${PRUNE4J_GEMM_WARMUP_MS:-1000}")
  [ -n "${PRUNE4J_GEMM_SHAPES:-}" ] && args+=(--shapes "$PRUNE4J_GEMM_SHAPES")
  [ "$dry" -eq 1 ] && args+=(--dry-run)
  jrun -Xmx48g -cp "$bench_cp" dev.prune4j.bench.GpuGemmBench "${args[@]}"
}

summary_gemm_bench() {
  jsonl_summary "$results/gemm.jsonl"
}

stage_pruning() {
  local args=(bench --engine cuda --quick --include "${PRUNE4J_PRUNING_INCLUDE:-MaskBench|CalibrationBenchmark}"
    --output "$results/pruning" --jsonl "$results/pruning.jsonl")
  [ "$dry" -eq 1 ] && args+=(--dry-run)
  jrun -Xmx32g -Djmh.ignoreLock=true -cp "$bench_cp" dev.prune4j.bench.BenchMain "${args[@]}"
}

summary_pruning_bench() {
  jsonl_summary "$results/pruning.jsonl"
}

stage_torch() {
  local f="$results/torch.jsonl"
  local args=(--jsonl "$f" --tokens "${PRUNE4J_GEMM_TOKENS:-1,16,2048,8192}" --dtypes "${PRUNE4J_GEMM_DTYPES:-F16,BF16}")
  [ -n "${PRUNE4J_GEMM_SHAPES:-}" ] && args+=(--shapes "$PRUNE4J_GEMM_SHAPES")
  [ "$dry" -eq 1 ] && args+=(--dry-run)
  "$python" "$root/benchmarks/python/torch_linear_bench.py" "${args[@]}"
}

summary_torch() {
  jsonl_summary "$results/torch.jsonl"
}

stage_torch_pruning() {
  local args=(--jsonl "$results/torch-pruning.jsonl" --device cuda --backend torch --tokens 262144
    --shape 4096x4096,11008x4096 --repeat 3)
  [ "$dry" -eq 1 ] && args+=(--dry-run)
  "$python" "$root/benchmarks/python/pruning_torch_bench.py" "${args[@]}"
}

summary_torch_pruning() {
  jsonl_summary "$results/torch-pruning.jsonl"
  # One line per layer: the seconds of each step, the wall clock (transfers included) as the Java side is timed.
  grep '"kind": *"result"' "$results/torch-pruning.jsonl" 2>/dev/null \
    | grep -oE '"(shape|hessian_s|wanda_s|sparsegpt_s|sparsegpt_with_hessian_s)": *("[^"]*"|[0-9.e-]+)' \
    | paste -sd' ' | sed 's/"shape"/\n"shape"/g' | sed '/^$/d'
}

stage_report() {
  local inputs=()
  for f in "$results"/*.jsonl "$results"/pruning/linear.jsonl; do
    [ -s "$f" ] && inputs+=(--input "$f")
  done
  [ "${#inputs[@]}" -gt 0 ] || { echo "no JSON-lines results to report" >> "$STAGE_SUMMARY"; return 1; }
  jrun -Xmx4g -cp "$bench_cp" dev.prune4j.bench.BenchMain report "${inputs[@]}" --output "$results/report" \
    --brief > "$work/report.out" 2>&1
  local s=$?
  cat "$work/report.out"
  grep -v -e '^wrote ' -e '^WARNING: Using incubator' "$work/report.out" >> "$STAGE_SUMMARY"
  grep -q 'java.desktop' "$results/report/report.md" 2>/dev/null \
    && echo "report.md written; plots left out on this runtime (draw them with ./prune4j report)" >> "$STAGE_SUMMARY"
  return "$s"
}

# shellcheck disable=SC2086  # jflags: words on purpose
jrun() { "$java" $jflags "$@"; }

export -f jrun stage_env sanitizer_path junit test_summary stage_gpu_tests extract_library stage_sanitizer \
  jsonl_summary stage_gemm stage_pruning stage_torch stage_torch_pruning stage_report
export java jflags bundle lib bench_cp test_cp python dry gpu_present work results root

# ---- the stages: name, timeout (s), command. Planned for an H200, the expected time in brackets:
#   env 20 (5): nvidia-smi and one JVM start
#   gpu-tests 120 (60-90): about 500 tests; the 70B shapes' reference checks run on 16 cores
#   sanitizer 45 (20-40): 20 tests under memcheck (11 of them small mask-swap layers), which slows kernels
#     tenfold and more; the swap cases not yet timed on a GPU
#   gemm-bench 170 (130-150): 80 cases of about 1.4 s (1 s of it warm-up) and 20 weight set-ups
#   pruning-bench 60 (45): 18 JMH trials of 0.8 s, then 7 single-shot trials on 2 GiB of calibration inputs
#   torch 75 (40-60): 240 timings of about 0.15 s, 20 compressions
#   torch-pruning 40 (20-30): the reference SparseGPT's column loop, 4 calls on each of 2 layers
#   report 20 (5)
# 550 s of limits for about 385 s expected; the 450 s budget cuts the last stages first, and the
# device tool's 600 s per command leaves the rest for the start and the transfers.
stage env 20 stage_env
stage gpu-tests 120 stage_gpu_tests
stage sanitizer 45 stage_sanitizer
stage gemm-bench 170 stage_gemm
stage pruning-bench 60 stage_pruning
stage torch 75 stage_torch
stage torch-pruning 40 stage_torch_pruning
stage report 20 stage_report

elapsed=$(( $(date +%s) - run_start ))
say "total: ${elapsed} s of the ${budget} s budget; stages: ${stages_run[*]}"

if [ "$dry" -eq 1 ]; then
  # The promises a device run depends on, checked where a failure costs nothing.
  problems=()
  for s in "${stages_run[@]}"; do
    grep -qE "^\[(ok|SKIPPED|FAILED|TIMEOUT)\] $s:" "$summary" || problems+=("no summary line for stage $s")
    grep -qE "^\[ok\] $s:" "$summary" || problems+=("stage $s did not pass its dry run")
    [ -s "$results/$s.log" ] || problems+=("no log for stage $s")
  done
  for f in gemm.jsonl pruning.jsonl torch.jsonl torch-pruning.jsonl; do
    head -1 "$results/$f" 2>/dev/null | grep -q '"kind": *"header"' || problems+=("$f has no header line")
  done
  [ -s "$results/report/report.md" ] || problems+=("no report.md")
  grep -q 'Plots left out' "$results/report/report.md" 2>/dev/null || true
  pack
  n=$(find "$out" -type f | wc -l)
  [ "$n" -le 8 ] || problems+=("$n files in \$OUT (at most 8 come back)")
  while IFS= read -r f; do
    size=$(stat -c %s "$f")
    [ "$size" -le $((16 * 1024 * 1024)) ] || problems+=("$f is $size bytes (16 MiB at most)")
    base=$(basename "$f")
    [[ "$base" =~ ^[A-Za-z0-9._-]+$ ]] || problems+=("$f: a name the device tool does not return")
  done < <(find "$out" -type f)
  [ "$(du -sb "$out" | cut -f1)" -le $((64 * 1024 * 1024)) ] || problems+=("\$OUT is over 64 MiB")
  [ -z "$(find "$out" -mindepth 3 -type f)" ] || problems+=("files more than 2 folders deep in \$OUT")
  tar -tzf "$tarball" > /dev/null 2>&1 || problems+=("results.tar.gz does not read back")
  [ "$elapsed" -le "$budget" ] || problems+=("took ${elapsed} s, over the ${budget} s budget")
  if [ "${#problems[@]}" -eq 0 ]; then
    say "dry run: promises hold: $n files in \$OUT ($(cd "$out" && ls | tr '\n' ' ')), $(du -sh "$out" | cut -f1)," \
      "summary lines for every stage, ${elapsed} s"
  else
    say "dry run: BROKEN PROMISES:"
    for p in "${problems[@]}"; do say "  - $p"; done
  fi
  cat "$summary"
  rm -rf "$work"
  [ "${#problems[@]}" -eq 0 ] || exit 4
  exit 0
fi

pack
cat "$summary"
rm -rf "$work"
exit "$failed"
