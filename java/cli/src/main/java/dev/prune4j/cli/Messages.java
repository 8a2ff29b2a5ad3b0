package dev.prune4j.cli;

/** The text of error lines: the message without a Java class name, on one line, without control characters. */
final class Messages {
    private Messages() {}

    /** The message of {@code e}, or its kind in words when it has none. */
    static String of(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** {@code text} on one line: newlines and other control characters (ESC too) shown escaped. */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append(' ');
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString().strip();
    }
}
