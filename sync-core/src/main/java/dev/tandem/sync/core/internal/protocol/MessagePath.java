package dev.tandem.sync.core.internal.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Where a value sits in a message, for error messages: {@code push.diff["shape:1"][1]}. Built as one
 * small node per level while decoding and rendered only when an error is thrown.
 */
final class MessagePath {
    private final @Nullable MessagePath parent;
    private final @Nullable String name;
    private final boolean isKey;
    private final int index;

    private MessagePath(@Nullable MessagePath parent, @Nullable String name, boolean isKey, int index) {
        this.parent = parent;
        this.name = name;
        this.isKey = isKey;
        this.index = index;
    }

    static MessagePath root(String name) {
        return new MessagePath(null, name, false, -1);
    }

    MessagePath field(String fieldName) {
        return new MessagePath(this, fieldName, false, -1);
    }

    MessagePath key(String key) {
        return new MessagePath(this, key, true, -1);
    }

    MessagePath index(int i) {
        return new MessagePath(this, null, false, i);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        render(sb);
        return sb.toString();
    }

    private void render(StringBuilder sb) {
        if (parent != null) {
            parent.render(sb);
        }
        if (name == null) {
            sb.append('[').append(index).append(']');
        } else if (isKey) {
            sb.append('[').append(Fields.quote(name)).append(']');
        } else {
            if (parent != null) {
                sb.append('.');
            }
            sb.append(name);
        }
    }
}
