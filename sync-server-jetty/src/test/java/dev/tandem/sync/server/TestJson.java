package dev.tandem.sync.server;

import tools.jackson.databind.json.JsonMapper;

/** JSON for tests, independent of the codec under test. */
final class TestJson {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private TestJson() {}

    static Object parse(String json) {
        return MAPPER.readValue(json, Object.class);
    }

    static String stringify(Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
