package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps {@code docs/configuration.md} equal to the server's {@code --help}. When an option changes, regenerate
 * the page with {@code ./mvnw -q -pl sync-server-jetty -am verify -Dtest=ConfigurationDocTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.updateDocs=true}.
 */
class ConfigurationDocTest {

    static final Path DOC = Path.of("../docs/configuration.md");
    static final String BEGIN = "<!-- BEGIN tandem-server --help -->\n```text\n";
    static final String END = "```\n<!-- END tandem-server --help -->";

    /** The usage text from the option annotations alone: no environment variables, no config file. */
    static String usage() {
        return new CommandLine(new Main()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** Returns {@code doc} with the text between the markers replaced by {@code usage}. */
    static String withUsage(String doc, String usage) {
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(DOC + " lacks the markers " + BEGIN.strip() + " … " + END.strip());
        }
        return doc.substring(0, begin + BEGIN.length()) + usage + doc.substring(end);
    }

    @Test
    void configurationDoc_containsTheHelpOutput() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        String expected = withUsage(doc, usage());
        if (Boolean.getBoolean("tandem.updateDocs") && !expected.equals(doc)) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
            doc = expected;
        }
        assertThat(doc)
                .as("docs/configuration.md is out of date with tandem-server --help; regenerate it with"
                        + " ./mvnw -q -pl sync-server-jetty -am verify -Dtest=ConfigurationDocTest"
                        + " -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.updateDocs=true")
                .contains(BEGIN + usage() + END);
    }

    /** Rewrites docs/configuration.md from the current options; run from the sync-server-jetty directory. */
    public static void main(String[] args) throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Files.writeString(DOC, withUsage(doc, usage()), StandardCharsets.UTF_8);
    }
}
