package dev.tandem.sync.core.internal.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import dev.tandem.sync.core.Validators;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code T.object} gives the same verdict for a frozen object (checked by position in its layout, remembered
 * per layout) as for any other map, whatever order and layouts its inputs come in.
 */
class ObjectCheckTest {
    private final LinkedHashMap<String, Validator> config = new LinkedHashMap<>();

    ObjectCheckTest() {
        config.put("x", Validators.number());
        config.put("name", Validators.string());
        config.put("flag", Validators.bool());
    }

    private static String verdict(Validator v, Object value) {
        try {
            v.validate(value);
            return "ok";
        } catch (ValidationException e) {
            return e.getMessage();
        }
    }

    @Test
    void frozenAndPlainMaps_getTheSameVerdicts_acrossChangingLayouts() {
        ObjectCheck strict = new ObjectCheck(config, false);
        ObjectCheck loose = new ObjectCheck(config, true);
        List<String> keys = List.of("x", "name", "flag", "extra");
        List<Object> values = new ArrayList<>();
        values.add(1.5);
        values.add("a");
        values.add(true);
        values.add(null);
        values.add(List.of());
        Random random = new Random(42);
        int frozenChecked = 0;
        for (int round = 0; round < 5000; round++) {
            LinkedHashMap<String, Object> plain = new LinkedHashMap<>();
            List<String> order = new ArrayList<>(keys);
            Collections.shuffle(order, random);
            for (String k : order) {
                if (random.nextInt(4) != 0) {
                    plain.put(k, values.get(random.nextInt(values.size())));
                }
            }
            Object frozen = Json.freeze(plain);
            assertThat(frozen).isInstanceOf(Map.class).isNotInstanceOf(LinkedHashMap.class);
            for (ObjectCheck check : List.of(strict, loose)) {
                assertThat(verdict(check, frozen)).as("%s", plain).isEqualTo(verdict(check, plain));
            }
            frozenChecked++;
        }
        assertThat(frozenChecked).isEqualTo(5000);
    }

    @Test
    void aMissingKey_anUnexpectedOne_andAWrongType_areReportedWithTheirPath() {
        ObjectCheck strict = new ObjectCheck(config, false);

        assertThat(verdict(strict, Json.freeze(Map.of("x", 1L, "name", "a")))).isNotEqualTo("ok");
        assertThat(verdict(strict, Json.freeze(Map.of("x", 1L, "name", "a", "flag", true, "y", 2L))))
                .contains("Unexpected property");
        assertThat(verdict(strict, Json.freeze(Map.of("x", "no", "name", "a", "flag", true))))
                .contains("x");
        assertThat(verdict(strict, Json.freeze(Map.of("x", 1L, "name", "a", "flag", true))))
                .isEqualTo("ok");
    }
}
