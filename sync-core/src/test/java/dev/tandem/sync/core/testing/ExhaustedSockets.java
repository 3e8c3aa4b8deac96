package dev.tandem.sync.core.testing;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Asserts after every test that each {@link RecordingSocket} made during it has no frame left unexamined: a
 * frame the room sent that the test neither took nor discarded ({@link RecordingSocket#discardRemaining()})
 * fails the test. Use with {@code @ExtendWith(ExhaustedSockets.class)}. Tests of one JVM run one at a time
 * (sync-core runs none in parallel).
 */
public final class ExhaustedSockets implements BeforeEachCallback, AfterEachCallback {
    private static final Object LOCK = new Object();
    /** The sockets made during the running test; null when no test with this extension runs. */
    private static @Nullable List<RecordingSocket> made;

    static void track(RecordingSocket socket) {
        synchronized (LOCK) {
            if (made != null) {
                made.add(socket);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (LOCK) {
            made = new ArrayList<>();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<RecordingSocket> sockets;
        synchronized (LOCK) {
            sockets = made;
            made = null;
        }
        if (sockets == null || context.getExecutionException().isPresent()) {
            return; // the test failed already: its own failure says more
        }
        StringBuilder unexamined = new StringBuilder();
        for (int i = 0; i < sockets.size(); i++) {
            List<String> left = sockets.get(i).drain();
            if (!left.isEmpty()) {
                unexamined.append("\n  socket #").append(i + 1).append(": ").append(left);
            }
        }
        if (unexamined.length() > 0) {
            throw new AssertionError("frames nobody examined (take them, or say so with discardRemaining()), of "
                    + sockets.size() + " sockets made in the test:" + unexamined);
        }
    }
}
