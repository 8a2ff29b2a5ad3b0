/**
 * Reading and writing safetensors files and Hugging Face checkpoint folders.
 *
 * <ul>
 *   <li>{@link dev.prune4j.safetensors.SafeTensorsFile}: one file, memory-mapped read-only, header
 *       validated as strictly as the reference implementation; tensors are zero-copy views.</li>
 *   <li>{@link dev.prune4j.safetensors.SafeTensorsWriter}: one file, declared up front and filled
 *       tensor by tensor through a read-write mapping of a temporary file, moved into place on
 *       commit; the layout is the reference's.</li>
 *   <li>{@link dev.prune4j.safetensors.Checkpoint}: a folder of shards, with or without
 *       {@code model.safetensors.index.json}, plus its other files.</li>
 *   <li>{@link dev.prune4j.safetensors.CheckpointWriter}: a new folder with a source checkpoint's
 *       layout, each tensor's bytes from a callback, renamed into place when complete.</li>
 * </ul>
 *
 * Every problem with a file is a {@link dev.prune4j.safetensors.SafeTensorsException} whose message
 * names the file, the tensor when there is one, and the problem. Inputs are never opened for writing.
 */
package dev.prune4j.safetensors;
