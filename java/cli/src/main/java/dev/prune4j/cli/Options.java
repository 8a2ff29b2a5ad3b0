package dev.prune4j.cli;

import dev.prune4j.engine.Engines;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.Scope;
import dev.prune4j.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value types of the command line, parsed strictly: a number is a plain decimal (no
 * {@code 0.5d}, no hexadecimal), a pattern is exactly {@code N:M}, names are the ones the library knows.
 */
final class Options {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+");

    private Options() {}

    static double decimal(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new TypeConversionException("needs a number, got '" + Messages.clean(text) + "'");
        }
        double v = Double.parseDouble(text);
        if (Double.isInfinite(v)) {
            throw new TypeConversionException("'" + Messages.clean(text) + "' is out of range");
        }
        return v;
    }

    static long whole(String text) {
        if (!WHOLE.matcher(text).matches()) {
            throw new TypeConversionException("needs a whole number, got '" + Messages.clean(text) + "'");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + Messages.clean(text) + "' is out of range");
        }
    }

    /** A decimal number. */
    static final class Decimal implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return decimal(value);
        }
    }

    /** An int. */
    static final class Whole implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long v = whole(value);
            if (v != (int) v) {
                throw new TypeConversionException("'" + Messages.clean(value) + "' is out of range");
            }
            return (int) v;
        }
    }

    /** A long. */
    static final class WholeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return whole(value);
        }
    }

    /** {@code N:M}, ASCII digits only (no sign, spaces or other scripts' digits, which Integer.parseInt takes). */
    static final class NmPatternName implements ITypeConverter<NmPattern> {
        private static final Pattern N_M = Pattern.compile("[0-9]{1,9}:[0-9]{1,9}");

        @Override
        public NmPattern convert(String value) {
            if (!N_M.matcher(value).matches()) {
                throw new TypeConversionException("pattern must look like N:M (for example 2:4), got '"
                        + Messages.clean(value) + "'");
            }
            try {
                return NmPattern.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code row}, {@code tensor} or {@code global}. */
    static final class ScopeName implements ITypeConverter<Scope> {
        @Override
        public Scope convert(String value) {
            try {
                return Scope.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code f32}, {@code f16} or {@code bf16}. */
    static final class DTypeName implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            try {
                return DType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An engine name the library knows ({@code cpu}, {@code cuda}, {@code auto}). */
    static final class EngineName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Engines.checkName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The items of a comma-separated list, trimmed; an empty list is an error. */
    static List<String> list(String option, String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",", -1)) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new UsageException(option + ": empty list '" + csv + "'");
        }
        return out;
    }
}
