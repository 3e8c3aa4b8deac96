package dev.tandem.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the properties table of {@code docs/spring-boot.md} equal to {@link TandemProperties}. */
class SpringBootDocTest {
    private static final Path DOC = Path.of("../docs/spring-boot.md");

    @Test
    void propertiesTable_listsEveryPropertyOnce_andNoOther() throws IOException {
        List<String> properties = new ArrayList<>();
        for (RecordComponent c : TandemProperties.class.getRecordComponents()) {
            properties.add("tandem."
                    + c.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
        }
        List<String> documented = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `(tandem\\.[a-z-]+)` \\|")
                .matcher(Files.readString(DOC, StandardCharsets.UTF_8));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).as("properties in the table of %s", DOC).containsExactlyElementsOf(properties);
    }
}
