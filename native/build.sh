#!/usr/bin/env bash
# Builds native/build/libprune4j.so: finds or bootstraps CUDA 13.0 and CMake
# (cmake/bootstrap-cuda.sh), configures, and builds with at most two jobs (PRUNE4J_JOBS), the
# size of our machines. No GPU is needed. Extra arguments go to the CMake configure step,
# e.g. -DCMAKE_CUDA_ARCHITECTURES=90a-real for a quicker local build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

# Sets nvcc, cmake, cutlass and (when it could be fetched) cusparselt_include.
cusparselt_include=""
eval "$(bash "$root/cmake/bootstrap-cuda.sh")"
generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
build="$here/build"
if [ -f "$build/CMakeCache.txt" ] && ! grep -q "CMAKE_CUDA_COMPILER:.*=$nvcc\$" "$build/CMakeCache.txt"; then
  rm -rf "$build"  # configured with another toolkit
fi
"$cmake" -S "$here" -B "$build" "${generator[@]}" \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DPRUNE4J_CUTLASS_DIR="$cutlass" \
  -DPRUNE4J_CUSPARSELT_INCLUDE="$cusparselt_include" "$@" >&2
"$cmake" --build "$build" -j "${PRUNE4J_JOBS:-2}"
"$build/prune4j_host_test" >&2
echo "built $build/libprune4j.so"
