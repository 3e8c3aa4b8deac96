package dev.tandem.sync.server.internal.app;

import dev.tandem.sync.core.RoomStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rooms are read-only copies (made by {@code POST /snapshots}): every session in them is read-only, on any
 * route. The mark is a room attribute ({@value #ATTRIBUTE}) in the store, so it survives restarts; with no
 * store, or a store without attributes, it lives in this process only. Thread-safe.
 */
public final class ReadOnlyRooms {
    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyRooms.class);
    /** The room attribute that marks a read-only copy; its value is JSON describing the copy. */
    public static final String ATTRIBUTE = "tandem.readOnlyCopy";

    private final @Nullable RoomStore store;
    private final Duration timeout;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private volatile boolean storeHasAttributes = true;

    public ReadOnlyRooms(@Nullable RoomStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    /** Marks a room read-only, durably if the store keeps attributes. */
    public CompletableFuture<Void> mark(String roomId, String description) {
        known.add(roomId);
        if (store == null || !storeHasAttributes) {
            return CompletableFuture.completedFuture(null);
        }
        return store.saveAttribute(roomId, ATTRIBUTE, description).exceptionally(e -> {
            if (unsupported(e)) {
                storeHasAttributes = false;
                LOG.warn("the store keeps no room attributes: read-only copies last until the server stops");
                return null;
            }
            throw e instanceof CompletionException c ? c : new CompletionException(e);
        });
    }

    /**
     * Returns whether a room is a read-only copy, asking the store (waiting at most the timeout) for rooms not
     * seen yet. If the store fails, returns true: a failure never lets anyone write to a copy.
     */
    public boolean isReadOnly(String roomId) {
        if (known.contains(roomId)) {
            return true;
        }
        if (store == null || !storeHasAttributes) {
            return false;
        }
        try {
            String value = store.loadAttribute(roomId, ATTRIBUTE).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (value != null) {
                known.add(roomId);
                return true;
            }
            return false;
        } catch (ExecutionException e) {
            if (unsupported(e)) {
                storeHasAttributes = false;
                return false;
            }
            LOG.warn("cannot read attributes of room {}, treating it as read-only: {}", roomId, e.getCause());
            return true;
        } catch (TimeoutException e) {
            LOG.warn("no answer from the store for room {} in {}, treating it as read-only", roomId, timeout);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static boolean unsupported(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof UnsupportedOperationException;
    }
}
