package dev.tandem.sync.client.offline;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.ValueOp;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Edits whose double application shows: a record created once, then {@code n} patches that each append one
 * token to {@code text} and set {@code n}. Applying patch {@code i} again later sets {@code n} back (a change,
 * which moves the room's clock), so a room that applied each event exactly once ends with {@code text} =
 * {@link #expectedText}, {@code n} = {@code count} and document clock {@code count + 1}.
 */
final class Edits {
    private Edits() {}

    static void counter(SyncWorker worker, String room, String id, int count) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("typeName", "note");
        record.put("text", "");
        record.put("n", 0L);
        worker.create(room, record);
        String text = "";
        for (int i = 1; i <= count; i++) {
            String token = i + ",";
            Map<String, ValueOp> ops = new LinkedHashMap<>();
            ops.put("text", new ValueOp.Append(token, text.length()));
            ops.put("n", new ValueOp.Put((long) i));
            worker.patch(room, id, "note", new ObjectDiff(ops));
            text += token;
        }
    }

    static String expectedText(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            sb.append(i).append(',');
        }
        return sb.toString();
    }
}
