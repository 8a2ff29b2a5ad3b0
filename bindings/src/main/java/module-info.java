/** FFM bindings of {@code native/include/prune4j.h} and the loader of {@code libprune4j.so}. */
module dev.prune4j.bindings {
    exports dev.prune4j.bindings;
}
