#!/usr/bin/env bash
# Scale check: global magnitude 50 % on a synthetic LLaMA-7B checkpoint (f16, about 13.5 GB), on the
# CPU engine. Prints wall time and peak memory of each step. Peak RSS counts the pages of the mapped
# checkpoint files the process touched (file-backed, reclaimable by the kernel) as well as its own
# memory (anonymous: heap, masks, histograms), so both are sampled from /proc and shown apart.
#
# usage: benchmarks/scale/global-magnitude-7b.sh [WORK_DIR] [MODEL]   (needs ~28 GB free disk)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /var/tmp/prune4j-scale-XXXXXX)}"
model="${2:-llama-7b}"
mkdir -p "$work"

# Runs a command, sampling its memory every 0.2 s; prints wall time and peaks on stderr.
measure() {
  local label="$1"; shift
  local start end pid peak_rss=0 peak_anon=0 peak_file=0 rss anon file
  start=$(date +%s.%N)
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [ -r "/proc/$pid/status" ]; then
      rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      anon=$(awk '/^RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      file=$(awk '/^RssFile/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ "${rss:-0}" -gt "$peak_rss" ] && peak_rss=$rss
      [ "${anon:-0}" -gt "$peak_anon" ] && peak_anon=$anon
      [ "${file:-0}" -gt "$peak_file" ] && peak_file=$file
    fi
    sleep 0.2
  done
  wait "$pid"
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" -v r="$peak_rss" -v a="$peak_anon" -v f="$peak_file" 'BEGIN {
    printf "%-28s wall %7.1f s   peak RSS %6.2f GiB (anonymous %5.2f GiB, mapped files %6.2f GiB)\n",
      l, e - s, r / 1048576, a / 1048576, f / 1048576 }' >&2
}

"$root/prune4j" --help >/dev/null  # builds the jar first, outside the measurements
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/{print $2}') GiB RAM; work folder $work"
[ -d "$work/$model" ] || measure "synth $model f16" "$root/prune4j" synth --model "$model" --dtype f16 --output "$work/$model"
du -sh "$work/$model"
rm -rf "$work/$model-global-50"
measure "prune global magnitude 50%" "$root/prune4j" prune --input "$work/$model" --output "$work/$model-global-50" \
  --method magnitude --sparsity 0.5 --scope global --engine cpu
measure "analyze" "$root/prune4j" analyze --input "$work/$model-global-50" --format csv > "$work/analyze.csv"
grep '^overall' "$work/analyze.csv" | cut -c1-200
