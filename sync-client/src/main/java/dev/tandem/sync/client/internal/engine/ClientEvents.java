package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.client.StoreListener;
import dev.tandem.sync.client.Subscription;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncListener;
import dev.tandem.sync.client.SyncStatus;
import dev.tandem.sync.client.internal.flow.ListenerPublisher;
import dev.tandem.sync.client.internal.flow.SubscriberRegistry;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners and publishers of one client: every call to a listener runs on the client's lane, outside its
 * lock, guarded (a listener that throws is logged and the others still run). The publishers' listeners only
 * buffer on the lane; their subscribers are called on the publisher executor. Thread-safe.
 */
final class ClientEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ClientEvents.class);

    private final ClientConfig config;
    private final SerialExecutor lane;
    private final Object lock;
    private final Supplier<SyncStatus> status;
    private final CopyOnWriteArrayList<SyncListener> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<StoreListener> storeListeners = new CopyOnWriteArrayList<>();
    private final SubscriberRegistry subscribers = new SubscriberRegistry();
    private final ListenerPublisher<SyncStatus> statusPublisher;
    private final ListenerPublisher<StoreChange> changes;

    /**
     * Events delivered on {@code lane}; {@code status} returns the current status and is read under {@code lock},
     * the lock under which the client changes its status and queues its deliveries.
     */
    ClientEvents(ClientConfig config, SerialExecutor lane, Object lock, Supplier<SyncStatus> status) {
        this.config = config;
        this.lane = lane;
        this.lock = lock;
        this.status = status;
        this.listeners.addAll(config.listeners());
        this.storeListeners.addAll(config.storeListeners());
        this.statusPublisher = ListenerPublisher.conflating(
                "the status of " + config.sessionId(), subscribers, config.publisherExecutor(), this::attachStatus);
        this.changes = changesPublisher(SyncClient.DEFAULT_CHANGES_BUFFER);
    }

    Subscription addListener(SyncListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    Subscription addStoreListener(StoreListener listener) {
        Objects.requireNonNull(listener, "listener");
        storeListeners.add(listener);
        return () -> storeListeners.remove(listener);
    }

    Flow.Publisher<SyncStatus> statusPublisher() {
        return statusPublisher;
    }

    Flow.Publisher<StoreChange> changes() {
        return changes;
    }

    ListenerPublisher<StoreChange> changesPublisher(int bufferSize) {
        return ListenerPublisher.buffering(
                "the store changes of " + config.sessionId(),
                bufferSize,
                subscribers,
                config.publisherExecutor(),
                sink -> addStoreListener(sink::accept));
    }

    /** Completes every publisher's subscribers, after the deliveries already queued on the lane. */
    void completeAll() {
        lane.execute(subscribers::completeAll);
    }

    /**
     * Attaches a status listener that first receives the current status, then every later one, exactly once
     * each: the listener is added on the lane, by a task queued under the lock, so deliveries queued earlier
     * (of older statuses) miss it and those queued later reach it after the current status.
     */
    private Subscription attachStatus(Consumer<SyncStatus> sink) {
        StatusAttachment attachment = new StatusAttachment(sink);
        synchronized (lock) {
            SyncStatus now = status.get();
            lane.execute(() -> {
                if (attachment.register()) {
                    sink.accept(now);
                }
            });
        }
        return attachment;
    }

    /** A status listener of a publisher's subscriber, added on the lane and removable from any thread. */
    private final class StatusAttachment implements SyncListener, Subscription {
        private final Consumer<SyncStatus> sink;
        private boolean cancelled; // guarded by this

        StatusAttachment(Consumer<SyncStatus> sink) {
            this.sink = sink;
        }

        synchronized boolean register() {
            if (cancelled) {
                return false;
            }
            listeners.add(this);
            return true;
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
            listeners.remove(this);
        }

        @Override
        public void onStatusChange(SyncStatus next) {
            sink.accept(next);
        }
    }

    /** Queues a call to every sync listener on the lane. */
    void deliver(Consumer<SyncListener> call) {
        lane.execute(() -> {
            for (SyncListener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException e) {
                    LOG.error("sync listener failed", e);
                }
            }
        });
    }

    /** Queues a store change to every store listener on the lane, unless it is empty. */
    void emit(StoreChange change) {
        if (change.isEmpty()) {
            return;
        }
        lane.execute(() -> {
            for (StoreListener l : storeListeners) {
                try {
                    l.onChange(change);
                } catch (RuntimeException e) {
                    LOG.error("store listener failed", e);
                }
            }
        });
    }
}
