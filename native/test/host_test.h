// A tiny check counter shared by the host test files (native/build.sh runs prune4j_host_test).
#pragma once

#include <cstdio>

namespace p4j_test {

struct Tally {
    const char* suite;
    long passes = 0;
    long failures = 0;
    bool check(bool ok, const char* what, long long a = 0, long long b = 0) {
        if (ok) {
            passes++;
        } else if (failures++ < 10) {
            std::printf("FAIL [%s] %s (%lld, %lld)\n", suite, what, a, b);
        }
        return ok;
    }
};

// Each returns its failures after printing "suite: N passed, M failed".
long run_layout_tests();
long run_obs_tests();
long run_swap_tests();
long run_method_score_tests();

}  // namespace p4j_test
