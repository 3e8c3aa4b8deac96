package dev.tandem.sync.server.internal.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value formats: durations such as {@code 500ms}, {@code 20s}, {@code 5m} or {@code PT20S}; sizes in bytes. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(|b|kib|mib|gib|kb|mb|gb)");

    private Units() {}

    /** Parses a duration: {@code 0}, a number with {@code ms}, {@code s}, {@code m} or {@code h}, or ISO-8601. */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "' is not a duration (use e.g. 500ms, 20s, 5m or PT20S)");
        }
    }

    /** Parses a size in bytes, optionally with a unit: {@code 1048576}, {@code 1MiB}, {@code 64KiB}. */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size (use e.g. 1048576, 64KiB or 16MiB)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "kib", "kb" -> 1024L;
            case "mib", "mb" -> 1024L * 1024;
            case "gib", "gb" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return Math.multiplyExact(n, unit);
    }

    /**
     * Returns a duration as option text that parses back to it: {@code 0}, whole seconds as {@code 20s}, whole
     * milliseconds as {@code 16ms}, anything finer in ISO-8601.
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        if (d.getNano() % 1_000_000 == 0) {
            return d.toMillis() + "ms";
        }
        return d.toString();
    }

    /** Returns a size as option text that parses back to it: {@code 16MiB}, {@code 1KiB}, {@code 1000}. */
    public static String formatBytes(long n) {
        if (n != 0 && n % (1L << 30) == 0) {
            return (n >> 30) + "GiB";
        }
        if (n != 0 && n % (1L << 20) == 0) {
            return (n >> 20) + "MiB";
        }
        if (n != 0 && n % (1L << 10) == 0) {
            return (n >> 10) + "KiB";
        }
        return Long.toString(n);
    }

    /** The picocli converter for durations. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    /** The picocli converter for sizes. */
    public static final class BytesConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value);
        }
    }
}
