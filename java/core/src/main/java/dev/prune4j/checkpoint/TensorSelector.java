package dev.prune4j.checkpoint;

import dev.prune4j.tensor.DType;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tensors of a checkpoint are pruned. By default: the 2-D weights of linear layers, that is
 * every 2-D floating-point {@code *.weight} except embeddings, norms and the output head
 * ({@code lm_head}), which pruning hurts far more than it saves. An explicit regular expression
 * replaces the name rule (it must match the whole name); the tensor must still be F32, F16 or BF16.
 */
public final class TensorSelector {
    /** The default name rule, also what {@code --include} shows in the help. */
    public static final String DEFAULT_INCLUDE =
            "^(?!.*(embed|norm|lm_head|wte|wpe|position|token_type)).*\\.weight$";

    private final Pattern include;
    private final boolean matrixOnly;

    private TensorSelector(Pattern include, boolean matrixOnly) {
        this.include = include;
        this.matrixOnly = matrixOnly;
    }

    public static TensorSelector linearLayers() {
        return new TensorSelector(Pattern.compile(DEFAULT_INCLUDE), true);
    }

    /** Tensors whose whole name matches {@code regex}. */
    public static TensorSelector matching(String regex) {
        try {
            return new TensorSelector(Pattern.compile(regex), false);
        } catch (PatternSyntaxException e) {
            // The pattern may be huge (Pattern.compile reports a stack overflow as a syntax error):
            // quote its start only, so the message stays a line.
            throw new IllegalArgumentException("the include pattern is not a valid regular expression: " + e.getDescription()
                    + " in '" + abbreviated(regex) + "'");
        }
    }

    /**
     * Whether tensor {@code name} is pruned.
     *
     * @throws SelectionException when matching overflows the stack: Java's regex engine recurses per
     *                            repetition of some patterns ({@code (a|b)*}), so a long tensor name
     *                            can exhaust the stack; that is reported naming the tensor, not as
     *                            a {@link StackOverflowError}
     */
    public boolean selects(String name, DType dtype, long[] shape) {
        if (!dtype.prunable() || (matrixOnly && shape.length != 2)) {
            return false;
        }
        try {
            return include.matcher(name).matches();
        } catch (StackOverflowError e) {
            throw new SelectionException("the include pattern '" + include.pattern() + "' overflows the stack on tensor '"
                    + abbreviated(name) + "' (" + name.length()
                    + " characters); use a pattern without a repeated group, such as [ab]* for (a|b)*");
        }
    }

    private static String abbreviated(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The selection cannot be made: the pattern matches nothing, or fails on a name. */
    public static final class SelectionException extends IllegalArgumentException {
        public SelectionException(String message) {
            super(message);
        }
    }

    /** The names that {@link #selects} among {@code names}; a selection that is empty is an error. */
    public List<String> select(List<String> names, Predicate<String> selected) {
        List<String> out = names.stream().filter(selected).toList();
        if (out.isEmpty()) {
            throw new SelectionException("the include pattern '" + include.pattern()
                    + "' matches no prunable (F32/F16/BF16" + (matrixOnly ? ", 2-D" : "") + ") tensor");
        }
        return out;
    }

    public String pattern() {
        return include.pattern();
    }
}
