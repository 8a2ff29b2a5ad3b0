package dev.prune4j.analysis;

/**
 * Names as text for a terminal. A tensor name is whatever a file's header says: a newline in it
 * would split a table row, and an ESC would send the terminal a control sequence. The table and
 * CSV formats show control characters escaped ({@code \n}, {@code \x1b}); JSON escapes them its
 * own way and keeps names exact.
 */
final class DisplayText {
    private DisplayText() {}

    /** {@code text} with C0 and C1 control characters (and DEL) escaped. */
    static String clean(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c)) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb == null ? text : sb.toString();
    }
}
