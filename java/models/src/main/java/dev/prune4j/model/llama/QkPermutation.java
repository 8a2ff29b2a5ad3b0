package dev.prune4j.model.llama;

/**
 * Undoes the row permutation llama.cpp's converter applies to the query and key weights. Hugging
 * Face's RoPE rotates dimension {@code i} of a head with dimension {@code i + d/2} ("rotate half");
 * ggml rotates adjacent pairs {@code 2i, 2i + 1}. So the converter reorders each head's rows,
 * {@code W.reshape(heads, 2, d/2, in).swapaxes(1, 2)}; undoing it is
 * {@code W.reshape(heads, d/2, 2, in).swapaxes(1, 2)}: GGUF row {@code 2i + j} of a head becomes
 * HF row {@code j * d/2 + i}.
 */
final class QkPermutation {
    private QkPermutation() {}

    /**
     * Returns the HF-ordered copy of {@code gguf}, a row-major {@code [rows, cols]} weight whose
     * rows are {@code heads} heads of {@code rows / heads} rows each.
     */
    static float[] toHuggingFace(float[] gguf, int rows, int cols, int heads) {
        if (rows % heads != 0 || (rows / heads) % 2 != 0 || gguf.length != rows * cols) {
            throw new IllegalArgumentException(rows + " x " + cols + " weight (" + gguf.length
                    + " values) does not split into " + heads + " heads of an even number of rows");
        }
        int headRows = rows / heads;
        int half = headRows / 2;
        float[] hf = new float[gguf.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * headRows + 2 * i + j;
                    int to = h * headRows + j * half + i;
                    System.arraycopy(gguf, from * cols, hf, to * cols, cols);
                }
            }
        }
        return hf;
    }
}
