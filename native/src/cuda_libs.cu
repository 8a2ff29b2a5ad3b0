// Search path and dlopen helper shared by the run-time-loaded libraries (cuda_libs.cuh).
#include "cuda_libs.cuh"

#include <dlfcn.h>
#include <glob.h>
#include <unistd.h>

#include <cstdlib>

namespace p4j {

namespace {

void add_dirs(std::vector<std::string>& dirs, const char* list) {
    if (list == nullptr) return;
    std::string s(list);
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(':', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) dirs.push_back(s.substr(start, end - start));
        start = end + 1;
    }
}

void add_glob(std::vector<std::string>& dirs, const char* pattern) {
    glob_t g;
    if (glob(pattern, 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) dirs.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
}

}  // namespace

std::vector<std::string> cuda_library_dirs() {
    std::vector<std::string> dirs;
    add_dirs(dirs, std::getenv("PRUNE4J_CUDA_LIBS"));
    add_dirs(dirs, std::getenv("LD_LIBRARY_PATH"));
    dirs.push_back("/usr/local/cuda/lib64");
    // nvidia/<package>/lib (e.g. nvidia/cusparselt/lib) and nvidia/<package>/<cuda>/lib (the CUDA 13
    // wheels: nvidia/cu13/lib holds cuBLASLt and cuSOLVER).
    for (const char* p : {"/opt/torch/.venv/lib/python3*/site-packages/nvidia/*/lib",
                          "/opt/torch/.venv/lib/python3*/site-packages/nvidia/*/*/lib",
                          "/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
                          "/usr/local/lib/python3*/dist-packages/nvidia/*/*/lib",
                          "/usr/lib/python3/dist-packages/nvidia/*/lib",
                          "/usr/lib/python3/dist-packages/nvidia/*/*/lib"}) {
        add_glob(dirs, p);
    }
    return dirs;
}

void* open_cuda_library(const char* soname, const std::vector<const char*>& deps, std::string* path,
                        std::string* tried) {
    for (const std::string& d : cuda_library_dirs()) {
        std::string candidate = d + "/" + soname;
        if (access(candidate.c_str(), F_OK) != 0) {
            *tried += " " + candidate;
            continue;
        }
        for (const char* dep : deps) {
            std::string sibling = d + "/" + dep;
            if (access(sibling.c_str(), F_OK) == 0) {
                dlopen(sibling.c_str(), RTLD_NOW | RTLD_LOCAL);  // best effort: a failure shows below
            }
        }
        void* so = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (so != nullptr) {
            *path = candidate;
            return so;
        }
        const char* why = dlerror();
        *tried += " " + candidate + " (" + (why != nullptr ? why : "dlopen failed") + ")";
    }
    void* so = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    *tried += std::string(" ") + soname;
    if (so != nullptr) {
        *path = std::string(soname) + " (linker search path)";
    }
    return so;
}

}  // namespace p4j
