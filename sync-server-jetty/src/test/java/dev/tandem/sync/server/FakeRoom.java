package dev.tandem.sync.server;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** A room that records what the adapter delivers, so adapter tests need no room implementation. */
final class FakeRoom implements Room {
    private final String id;
    final List<Connection> connections = new CopyOnWriteArrayList<>();

    FakeRoom(String id) {
        this.id = id;
    }

    /** One connection as the room sees it. */
    static final class Connection implements SocketHandler {
        final SessionSocket socket;
        final SessionOptions options;
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        volatile int closes;

        Connection(SessionSocket socket, SessionOptions options) {
            this.socket = socket;
            this.options = options;
        }

        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public void onClose() {
            closes++;
        }

        @Override
        public void onError(Throwable cause) {
            errors.add(cause);
        }
    }

    Connection only() {
        if (connections.size() != 1) {
            throw new AssertionError("expected one connection but got " + connections.size());
        }
        return connections.get(0);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SocketHandler connect(SessionSocket socket, SessionOptions options) {
        Connection c = new Connection(socket, options);
        connections.add(c);
        return c;
    }

    @Override
    public CompletableFuture<Long> update(Consumer<RoomTransaction> changes) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<@Nullable Map<String, Object>> record(String id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<RoomSnapshot> snapshot() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> loadSnapshot(RoomSnapshot snapshot) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Boolean> sendCustomMessage(String sessionId, @Nullable Object data) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId, @Nullable CloseReason reason) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<SessionInfo>> sessions() {
        throw new UnsupportedOperationException();
    }

    @Override
    public long documentClock() {
        return 0;
    }

    @Override
    public int sessionCount() {
        return connections.size();
    }

    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<dev.tandem.sync.core.VersionInfo> saveVersion() {
        return CompletableFuture.failedFuture(new IllegalStateException("fake room has no store"));
    }

    @Override
    public CompletableFuture<Void> revalidate(
            java.util.function.Function<SessionInfo, dev.tandem.sync.core.Access> policy) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    @Override
    public void close() {}

    @Override
    public CompletableFuture<List<dev.tandem.sync.core.EventResult>> applyEvents(
            List<dev.tandem.sync.core.PushEvent> events,
            dev.tandem.sync.core.Principal principal,
            dev.tandem.sync.core.Access access) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("fake room"));
    }

    @Override
    public CompletableFuture<dev.tandem.sync.core.PullPage> pull(
            dev.tandem.sync.core.PullPage.Position since, int limit) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("fake room"));
    }
}
