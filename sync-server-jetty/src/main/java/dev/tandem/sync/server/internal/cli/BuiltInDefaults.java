package dev.tandem.sync.server.internal.cli;

import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The built-in default of each option: the initial value of its field, which the option classes take from the
 * library's constants ({@code RoomOptions.DEFAULT_IDLE_TIMEOUT}, {@code ServerLimits.DEFAULTS}, …), so that a
 * default is written once. Rendered in the option's own format ({@code 20s}, {@code 16ms}, {@code 16MiB}), which
 * is what {@code --help} shows and what parses back to the same value. Stateless.
 */
public final class BuiltInDefaults implements IDefaultValueProvider {

    @Override
    public @Nullable String defaultValue(ArgSpec argSpec) {
        return render(argSpec);
    }

    /** Returns the option's initial value as option text, or null if it has none. */
    static @Nullable String render(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        Object value = option.initialValue();
        if (value == null) {
            return null;
        }
        if (value instanceof Duration d) {
            return Units.format(d);
        }
        boolean bytes = option.converters() != null
                && Arrays.stream(option.converters()).anyMatch(c -> c instanceof Units.BytesConverter);
        if (bytes && value instanceof Long n) {
            return Units.formatBytes(n);
        }
        return String.valueOf(value);
    }
}
