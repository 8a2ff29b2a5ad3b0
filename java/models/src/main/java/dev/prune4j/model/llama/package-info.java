/**
 * LLaMA-architecture decoders (SmolLM2-135M first) in Java, for measuring what pruning does to a
 * causal language model:
 * <ul>
 *   <li>{@link dev.prune4j.model.llama.BpeTokenizer}: byte-level BPE equal to Hugging Face
 *       {@code tokenizers}, built from a GGUF or a {@code tokenizer.json};</li>
 *   <li>{@link dev.prune4j.model.llama.GgufToHuggingFace}: a GGUF to a Hugging Face folder that
 *       {@code transformers} loads as {@code LlamaForCausalLM};</li>
 *   <li>{@link dev.prune4j.model.llama.LlamaModel}: the F32 forward pass with a KV cache, every
 *       linear layer a {@code Linear} whose input a {@code LinearInputObserver} sees;</li>
 *   <li>{@link dev.prune4j.model.llama.Perplexity} and {@link dev.prune4j.model.llama.TokenWindows}:
 *       the evaluation protocol (first N non-overlapping windows of C tokens, each scored alone).</li>
 * </ul>
 * {@link dev.prune4j.model.llama.SmolLm2} finds the model where pip installed it; nothing is
 * downloaded.
 */
package dev.prune4j.model.llama;
