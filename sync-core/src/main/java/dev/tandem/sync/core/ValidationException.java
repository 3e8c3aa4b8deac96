package dev.tandem.sync.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A JSON value that a {@link Validator} refused. The message names where, in tldraw's words: {@code At
 * shape(type = geo).props.w: Expected a positive number, got -5}. Immutable and thread-safe.
 *
 * <p>A refused record rejects the push that carried it with {@link CloseReason#INVALID_RECORD}.
 */
public final class ValidationException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final String rawMessage;
    private final List<Object> path;

    /** A value refused at the top: the message is {@code rawMessage} as is. */
    public ValidationException(String rawMessage) {
        this(rawMessage, List.of());
    }

    /**
     * A value refused below the top. Each path element is an object key ({@link String}), an array index
     * ({@link Integer}), or a union variant written in parentheses, such as {@code (type = geo)}.
     */
    public ValidationException(String rawMessage, List<?> path) {
        super(CloseReason.INVALID_RECORD, format(Objects.requireNonNull(rawMessage, "rawMessage"), path));
        this.rawMessage = rawMessage;
        this.path = List.copyOf(path);
    }

    /** Returns the message without the path. */
    public String rawMessage() {
        return rawMessage;
    }

    /** Returns where the refused value sits, outermost first. */
    public List<Object> path() {
        return path;
    }

    /** Returns this error as seen one level up, from the container that holds the value under {@code segment}. */
    public ValidationException prefixed(Object segment) {
        Objects.requireNonNull(segment, "segment");
        List<Object> p = new ArrayList<>(path.size() + 1);
        p.add(segment);
        p.addAll(path);
        return new ValidationException(rawMessage, p);
    }

    private static String format(String rawMessage, List<?> path) {
        String indented = rawMessage.indexOf('\n') < 0 ? rawMessage : rawMessage.replace("\n", "\n  ");
        if (path.isEmpty()) {
            return indented;
        }
        StringBuilder sb = new StringBuilder();
        for (Object item : path) {
            String s = String.valueOf(item);
            if (!(item instanceof Number) && s.startsWith("(")) {
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) == ')') {
                    sb.setLength(sb.length() - 1);
                    sb.append(", ").append(s, 1, s.length());
                } else {
                    sb.append(s);
                }
            } else {
                sb.append('.').append(s);
            }
        }
        int start = sb.length() > 0 && sb.charAt(0) == '.' ? 1 : 0;
        return "At " + sb.substring(start) + ": " + indented;
    }
}
