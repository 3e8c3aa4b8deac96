package dev.tandem.sync.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.SessionSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory {@link SessionSocket} that records every frame the room sends, so a test can take them one
 * by one. In a test class extended with {@link ExhaustedSockets}, every socket made during a test must have
 * no frame left unexamined when it ends (OkHttp's {@code WebSocketRecorder.assertExhausted}); a test that
 * leaves frames on purpose says so with {@link #discardRemaining()}. Thread-safe.
 */
public final class RecordingSocket implements SessionSocket {
    private final ArrayDeque<String> frames = new ArrayDeque<>();
    private final List<String> all = new ArrayList<>();
    private boolean open = true;
    private @Nullable Integer closeCode;
    private @Nullable String closeReason;
    private int capacity = Integer.MAX_VALUE;

    public RecordingSocket() {
        ExhaustedSockets.track(this);
    }

    @Override
    public synchronized boolean send(String text) {
        if (!open || frames.size() >= capacity) {
            return false;
        }
        frames.add(text);
        all.add(text);
        return true;
    }

    @Override
    public synchronized void close(int code, String reason) {
        if (open) {
            open = false;
            closeCode = code;
            closeReason = reason;
        }
    }

    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            closeCode = 1000;
            closeReason = "";
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    /** Makes the socket refuse frames once {@code capacity} are waiting untaken, like a full queue. */
    public synchronized void capacity(int capacity) {
        this.capacity = capacity;
    }

    /** Returns and removes the oldest frame not yet taken; fails if there is none. */
    public synchronized String take() {
        assertThat(frames).as("frames waiting").isNotEmpty();
        return frames.poll();
    }

    /** Returns the frames not yet taken, removing them. */
    public synchronized List<String> drain() {
        List<String> out = new ArrayList<>(frames);
        frames.clear();
        return out;
    }

    /** Fails if a frame is waiting. */
    public synchronized void assertNoFrames() {
        assertThat(frames).as("unexpected frames").isEmpty();
    }

    /** Drops the frames not yet taken, saying that the test does not examine them. */
    public synchronized void discardRemaining() {
        frames.clear();
    }

    /** Returns every frame ever sent. */
    public synchronized List<String> history() {
        return List.copyOf(all);
    }

    public synchronized @Nullable Integer closeCode() {
        return closeCode;
    }

    public synchronized @Nullable String closeReason() {
        return closeReason;
    }
}
