// Finding and opening NVIDIA's libraries that libprune4j loads at run time (cuBLASLt, cuSPARSELt,
// cuSOLVER): they are hundreds of MB and never part of the build (ARCHITECTURE.md "The C ABI").
#pragma once

#include <string>
#include <vector>

namespace p4j {

// The folders searched, in order: PRUNE4J_CUDA_LIBS and LD_LIBRARY_PATH (colon-separated),
// /usr/local/cuda/lib64, and the nvidia/*/lib and nvidia/*/*/lib folders of the usual Python
// environments.
std::vector<std::string> cuda_library_dirs();

// dlopen()s soname from the first folder that has it, else from the linker's default path.
// Before the library itself, each of deps found in the same folder is opened too (RTLD_LOCAL), so
// that the library's own DT_NEEDED entries resolve to its siblings even when that folder is not on
// LD_LIBRARY_PATH (libcusolver.so.12 needs libcublas.so.13 & co. next to it). The handles stay
// open for the life of the process. Returns NULL when nothing loads; *path gets where it was
// loaded from, *tried every candidate.
void* open_cuda_library(const char* soname, const std::vector<const char*>& deps, std::string* path,
                        std::string* tried);

}  // namespace p4j

#include <dlfcn.h>

namespace p4j {

// fn = dlsym(so, name); appends " name" to missing when the library lacks it.
template <typename F>
bool bind_symbol(void* so, const char* name, F& fn, std::string& missing) {
    fn = reinterpret_cast<F>(dlsym(so, name));
    if (fn == nullptr) missing += std::string(" ") + name;
    return fn != nullptr;
}

}  // namespace p4j
