#!/usr/bin/env bash
# Finds a CUDA toolkit and a CMake new enough to build native/, installing pinned ones from PyPI
# into a cache outside the repository when the machine has none. Prints two lines on stdout:
#   nvcc=/path/to/nvcc
#   cmake=/path/to/cmake
#   cutlass=/path/to/cutlass/source
#   cusparselt_include=/path (only when cusparseLt.h could be fetched)
# and nothing else (progress goes to stderr), so callers can `eval "$(bash cmake/bootstrap-cuda.sh)"`.
# A second run finds everything in the cache and returns at once.
set -euo pipefail

cache="${PRUNE4J_CACHE:-$HOME/.cache/prune4j}"
cuda_version=13.0.88
cuda_dir="$cache/cuda-$cuda_version"
cmake_version=3.31.6
cmake_dir="$cache/cmake-$cmake_version"
# CUTLASS headers only (the sparse GEMM kernels); never copied into the repository.
cutlass_version=4.2.0.0
cutlass_dir="$cache/cutlass-$cutlass_version"
# NVIDIA's CUDA 13.0 wheels; together they are a toolkit that compiles and links kernels
# (ARCHITECTURE.md "Native build"). Pinned: the GPU machines' driver (580) runs CUDA 13.0.
cuda_wheels=(
  nvidia-cuda-nvcc==13.0.88
  nvidia-cuda-runtime==13.0.96
  nvidia-cuda-cccl==13.0.85
  nvidia-cuda-crt==13.0.88
  nvidia-nvvm==13.0.88
)

log() { echo "bootstrap-cuda: $*" >&2; }

python_for_pip() {
  for p in python3 python; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then
      echo "$p"
      return
    fi
  done
  log "no python with pip found: cannot install the CUDA toolkit wheels"
  exit 1
}

find_system_nvcc() {
  if [ -n "${PRUNE4J_NVCC:-}" ] && [ -x "$PRUNE4J_NVCC" ]; then
    echo "$PRUNE4J_NVCC"
  elif command -v nvcc >/dev/null 2>&1; then
    command -v nvcc
  elif [ -x /usr/local/cuda/bin/nvcc ]; then
    echo /usr/local/cuda/bin/nvcc
  fi
}

nvcc="$(find_system_nvcc)"
if [ -n "$nvcc" ]; then
  log "using the system CUDA toolkit: $nvcc"
else
  root="$cuda_dir/nvidia/cu13"
  if [ ! -x "$root/bin/nvcc" ] || [ ! -f "$cuda_dir/.complete" ]; then
    log "installing CUDA $cuda_version wheels into $cuda_dir"
    rm -rf "$cuda_dir"
    mkdir -p "$cuda_dir"
    py="$(python_for_pip)"
    "$py" -m pip install --quiet --disable-pip-version-check --no-deps --target "$cuda_dir" "${cuda_wheels[@]}" >&2
    # The wheels lay the toolkit out flat; nvcc's default profile looks for targets/x86_64-linux,
    # CMake for lib64, and the linker for an unversioned libcudart.so.
    mkdir -p "$root/targets"
    ln -sfn .. "$root/targets/x86_64-linux"
    ln -sfn lib "$root/lib64"
    ln -sfn libcudart.so.13 "$root/lib/libcudart.so"
    touch "$cuda_dir/.complete"
  fi
  nvcc="$root/bin/nvcc"
fi

version_at_least() { # $1 >= $2 for dotted versions
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}

cmake_bin=""
if command -v cmake >/dev/null 2>&1; then
  system_cmake_version="$(cmake --version | head -1 | awk '{print $3}')"
  # 3.27 knows CUDA 13 (no nvToolsExt) and the sm_90a architecture spelling.
  if version_at_least "$system_cmake_version" 3.27; then
    cmake_bin="$(command -v cmake)"
  else
    log "system cmake $system_cmake_version is older than 3.27"
  fi
fi
if [ -z "$cmake_bin" ]; then
  if [ ! -x "$cmake_dir/bin/cmake" ] || [ ! -f "$cmake_dir/.complete" ]; then
    log "installing cmake $cmake_version into $cmake_dir"
    rm -rf "$cmake_dir"
    mkdir -p "$cmake_dir"
    py="$(python_for_pip)"
    "$py" -m pip install --quiet --disable-pip-version-check --no-deps --target "$cmake_dir/site" "cmake==$cmake_version" >&2
    mkdir -p "$cmake_dir/bin"
    # The wheel's real binaries sit under cmake/data/bin; link them rather than the Python shim.
    ln -sfn "$cmake_dir/site/cmake/data/bin/cmake" "$cmake_dir/bin/cmake"
    touch "$cmake_dir/.complete"
  fi
  cmake_bin="$cmake_dir/bin/cmake"
fi

cutlass_src="$cutlass_dir/cutlass_library/source"
if [ ! -f "$cutlass_src/include/cutlass/cutlass.h" ] || [ ! -f "$cutlass_dir/.complete" ]; then
  log "installing nvidia-cutlass $cutlass_version (headers) into $cutlass_dir"
  rm -rf "$cutlass_dir"
  mkdir -p "$cutlass_dir"
  py="$(python_for_pip)"
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps --target "$cutlass_dir" "nvidia-cutlass==$cutlass_version" >&2
  touch "$cutlass_dir/.complete"
fi

# cusparseLt.h only, to check our hand-written cuSPARSELt declarations at compile time: the wheel
# (170 MB, a few seconds from PyPI) is downloaded to a temporary folder, the 18 kB header kept, the
# library never. Optional: without it (PRUNE4J_NO_CUSPARSELT_HEADER=1, or no network) the build
# goes on without the check.
cusparselt_version=0.8.1
cusparselt_dir="$cache/cusparselt-header-$cusparselt_version"
if [ ! -f "$cusparselt_dir/.complete" ] && [ -z "${PRUNE4J_NO_CUSPARSELT_HEADER:-}" ]; then
  log "fetching cusparseLt.h of nvidia-cusparselt-cu13 $cusparselt_version (header only) into $cusparselt_dir"
  py="$(python_for_pip)"
  tmp="$(mktemp -d)"
  if "$py" -m pip download --quiet --disable-pip-version-check --no-deps -d "$tmp" \
       "nvidia-cusparselt-cu13==$cusparselt_version" >&2 &&
     "$py" - "$tmp" "$cusparselt_dir" <<'PY' >&2
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
os.makedirs(os.path.join(sys.argv[2], "include"), exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    data = z.read("nvidia/cusparselt/include/cusparseLt.h")
with open(os.path.join(sys.argv[2], "include", "cusparseLt.h"), "wb") as f:
    f.write(data)
PY
  then
    touch "$cusparselt_dir/.complete"
  else
    log "could not fetch cusparseLt.h: the cuSPARSELt declarations are not checked in this build"
  fi
  rm -rf "$tmp"
fi

echo "nvcc=$nvcc"
echo "cmake=$cmake_bin"
echo "cutlass=$cutlass_src"
if [ -f "$cusparselt_dir/include/cusparseLt.h" ]; then
  echo "cusparselt_include=$cusparselt_dir/include"
fi
