package dev.prune4j.model.llama;

/**
 * GPT-2's byte-level alphabet: each of the 256 byte values stands for one printable Unicode
 * character, so a vocabulary of strings can spell any byte sequence. Printable Latin-1 bytes
 * ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves; the other 68 take the code points
 * from U+0100 on, in byte order (so a space, 0x20, is {@code Ġ}, U+0120, and a newline {@code Ċ}).
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The character that spells byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte that {@code c} spells, or -1 when {@code c} is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The alphabet spelling of {@code bytes}. */
    static String spell(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = charOf(bytes[i]);
        }
        return new String(out);
    }

    /** The bytes a token spells; null when a character is outside the alphabet. */
    static byte[] bytesOf(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
