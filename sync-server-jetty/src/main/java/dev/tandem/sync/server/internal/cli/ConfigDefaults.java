package dev.tandem.sync.server.internal.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values from the environment and a config file, below the command line: an option {@code --max-foo}
 * reads {@code TANDEM_MAX_FOO}, then the key {@code max-foo} of the Java properties file, then falls back to
 * its built-in default ({@link BuiltInDefaults}). Immutable.
 */
public final class ConfigDefaults implements IDefaultValueProvider {
    /** The option naming the config file; it comes from the command line or {@code TANDEM_CONFIG} only. */
    public static final String CONFIG_OPTION = "--config";

    private final Map<String, String> env;
    private final Properties file;

    private ConfigDefaults(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    /**
     * Reads the config file named by {@code --config FILE} / {@code --config=FILE} in {@code args}, or else by
     * {@code TANDEM_CONFIG}, if any.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    public static ConfigDefaults load(List<String> args, Map<String, String> env) {
        @Nullable String path = env.get(envName(CONFIG_OPTION));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(CONFIG_OPTION) && i + 1 < args.size()) {
                path = args.get(i + 1);
            } else if (a.startsWith(CONFIG_OPTION + "=")) {
                path = a.substring(CONFIG_OPTION.length() + 1);
            }
        }
        Properties props = new Properties();
        if (path != null && !path.isEmpty()) {
            try (Reader r = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read config file " + path + ": " + e, e);
            }
        }
        return new ConfigDefaults(Map.copyOf(env), props);
    }

    /** Returns the environment variable of an option: {@code --max-foo} → {@code TANDEM_MAX_FOO}. */
    public static String envName(String optionName) {
        return "TANDEM_" + key(optionName).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String key(String optionName) {
        return optionName.replaceFirst("^-+", "");
    }

    @Override
    public @Nullable String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        if (name.equals(CONFIG_OPTION)) {
            return env.get(envName(name));
        }
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(key(name));
        return fromFile != null ? fromFile : BuiltInDefaults.render(option);
    }
}
