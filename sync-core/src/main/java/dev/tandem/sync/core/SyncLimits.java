package dev.tandem.sync.core;

/**
 * Limits that keep one client from hurting a room or a server, built with {@link #builder()}. Every
 * rejection closes only the offending session with a 4099 reason; a rejected push is rolled back whole.
 * Immutable and thread-safe.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>when exceeded</th></tr>
 *   <tr><td>sessions per room (in every state)</td><td>50</td><td>{@code ROOM_FULL}</td></tr>
 *   <tr><td>messages per second per session (burst)</td><td>120 (240)</td><td>{@code RATE_LIMITED}</td></tr>
 *   <tr><td>characters per second per session (burst)</td><td>8 Mi (32 Mi)</td><td>{@code RATE_LIMITED}</td></tr>
 *   <tr><td>records per push</td><td>10,000</td><td>{@code INVALID_RECORD}</td></tr>
 *   <tr><td>record size, JSON characters</td><td>4 Mi</td><td>{@code INVALID_RECORD}</td></tr>
 *   <tr><td>document size, JSON characters</td><td>256 Mi</td><td>{@code INVALID_RECORD}</td></tr>
 * </table>
 *
 * <pre>{@code
 * SyncLimits limits = SyncLimits.builder().maxSessionsPerRoom(20).messagesPerSecond(60).build();
 * }</pre>
 *
 * @param maxSessionsPerRoom sessions a room holds, counting those connecting and in their removal grace
 * @param messagesPerSecond sustained frames per second per session (token bucket rate)
 * @param messageBurst frames a session may send at once (token bucket size)
 * @param charsPerSecond sustained frame characters per second per session
 * @param charBurst frame characters a session may send at once; at least the largest message
 * @param maxRecordsPerPush ops in one push's document diff
 * @param maxRecordChars a record's size as JSON, in characters
 * @param maxDocumentChars the sum of a room's record sizes as JSON, in characters
 */
public record SyncLimits(
        int maxSessionsPerRoom,
        int messagesPerSecond,
        int messageBurst,
        long charsPerSecond,
        long charBurst,
        int maxRecordsPerPush,
        long maxRecordChars,
        long maxDocumentChars) {

    /** The documented defaults. */
    public static final SyncLimits DEFAULTS = builder().build();

    public SyncLimits {
        positive("maxSessionsPerRoom", maxSessionsPerRoom);
        positive("messagesPerSecond", messagesPerSecond);
        positive("messageBurst", messageBurst);
        positive("charsPerSecond", charsPerSecond);
        positive("charBurst", charBurst);
        positive("maxRecordsPerPush", maxRecordsPerPush);
        positive("maxRecordChars", maxRecordChars);
        positive("maxDocumentChars", maxDocumentChars);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder starting from these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxSessionsPerRoom = maxSessionsPerRoom;
        b.messagesPerSecond = messagesPerSecond;
        b.messageBurst = messageBurst;
        b.charsPerSecond = charsPerSecond;
        b.charBurst = charBurst;
        b.maxRecordsPerPush = maxRecordsPerPush;
        b.maxRecordChars = maxRecordChars;
        b.maxDocumentChars = maxDocumentChars;
        return b;
    }

    /** Builds {@link SyncLimits}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private int maxSessionsPerRoom = 50;
        private int messagesPerSecond = 120;
        private int messageBurst = 240;
        private long charsPerSecond = 8L << 20;
        private long charBurst = 32L << 20;
        private int maxRecordsPerPush = 10_000;
        private long maxRecordChars = 4L << 20;
        private long maxDocumentChars = 256L << 20;

        private Builder() {}

        public Builder maxSessionsPerRoom(int value) {
            positive("maxSessionsPerRoom", value);
            maxSessionsPerRoom = value;
            return this;
        }

        public Builder messagesPerSecond(int value) {
            positive("messagesPerSecond", value);
            messagesPerSecond = value;
            return this;
        }

        public Builder messageBurst(int value) {
            positive("messageBurst", value);
            messageBurst = value;
            return this;
        }

        public Builder charsPerSecond(long value) {
            positive("charsPerSecond", value);
            charsPerSecond = value;
            return this;
        }

        public Builder charBurst(long value) {
            positive("charBurst", value);
            charBurst = value;
            return this;
        }

        public Builder maxRecordsPerPush(int value) {
            positive("maxRecordsPerPush", value);
            maxRecordsPerPush = value;
            return this;
        }

        public Builder maxRecordChars(long value) {
            positive("maxRecordChars", value);
            maxRecordChars = value;
            return this;
        }

        public Builder maxDocumentChars(long value) {
            positive("maxDocumentChars", value);
            maxDocumentChars = value;
            return this;
        }

        public SyncLimits build() {
            return new SyncLimits(
                    maxSessionsPerRoom,
                    messagesPerSecond,
                    messageBurst,
                    charsPerSecond,
                    charBurst,
                    maxRecordsPerPush,
                    maxRecordChars,
                    maxDocumentChars);
        }
    }
}
