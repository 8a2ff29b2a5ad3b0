/**
 * Reading llama.cpp's GGUF model files with the JDK alone: {@link dev.prune4j.gguf.GgufFile} maps
 * a file, validates its whole header (metadata of every GGUF value type, tensor infos, alignment,
 * offsets) as ggml does, and hands out tensors as raw bytes, zero-copy views or F32 values
 * dequantised exactly from F32, F16, BF16, Q8_0, Q4_0 and Q4_1. Every malformed or hostile file is
 * one {@link dev.prune4j.gguf.GgufException} naming the file and the tensor; no count or length in
 * the file is trusted before it is checked against the bytes that are there.
 */
package dev.prune4j.gguf;
