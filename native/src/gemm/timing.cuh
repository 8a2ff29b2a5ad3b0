// Kernels of honest timing (timing.cu): an L2 scrub between timed calls, a streaming read for the
// device's memory bandwidth, and a kernel that holds the stream until the host has queued a whole
// batch of timed calls, so that no host work (argument set-up, descriptor updates) lands between a
// call's CUDA events.
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

// Reads bytes (a multiple of 16) of buffer, leaving no dirty lines behind (the next timed kernel
// then pays for nothing but its own traffic). sink: one device word the kernel may write.
int l2_scrub(const void* buffer, size_t bytes, unsigned* sink, int sm_count, cudaStream_t stream);

// Reads bytes (a multiple of 16) once, as fast as the device allows (the bandwidth measurement).
int stream_read(const void* buffer, size_t bytes, unsigned* sink, int sm_count, cudaStream_t stream);

// Spins until *flag (mapped host memory) is non-zero, or for at most timeout_ns.
int hold_stream(const volatile int* flag, unsigned long long timeout_ns, cudaStream_t stream);

}  // namespace p4j
