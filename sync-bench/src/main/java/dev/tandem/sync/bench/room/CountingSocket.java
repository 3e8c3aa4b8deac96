package dev.tandem.sync.bench.room;

import dev.tandem.sync.core.SessionSocket;

/**
 * A {@link SessionSocket} that accepts every frame and only counts it, like a transport whose outgoing
 * queue always has room. While {@link #inspect} is set (during setup) it also counts the push results and
 * patches inside each frame, so the setup can prove the benchmark runs the happy path. Confined to the
 * benchmark thread (the room runs on a direct executor), so its counters are plain fields.
 */
final class CountingSocket implements SessionSocket {
    long frames;
    long chars;
    boolean inspect = true;
    long commits;
    long patches;
    long rejections;
    private boolean open = true;

    @Override
    public boolean send(String text) {
        frames++;
        chars += text.length();
        if (inspect) {
            commits += occurrences(text, "\"action\":\"commit\"");
            patches += occurrences(text, "\"type\":\"patch\"");
            rejections += occurrences(text, "\"rebaseWithDiff\"") + occurrences(text, "\"action\":\"discard\"");
        }
        return open;
    }

    @Override
    public void close(int code, String reason) {
        open = false;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    void resetCounters() {
        frames = 0;
        chars = 0;
        commits = 0;
        patches = 0;
        rejections = 0;
    }

    private static int occurrences(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            count++;
        }
        return count;
    }
}
