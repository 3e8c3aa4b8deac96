package dev.tandem.sync.redis.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the rooms of a draining node to other nodes, in two phases so that no live room waits for a client to
 * come back: for each owned room, the owner flushes it, moves its lease to a live node in one compare-and-set,
 * and asks that node to take the room ({@code H}); the new owner claims the next epoch, loads the room and
 * answers ({@code K}); only then does the old owner close the room's sessions with {@link #MOVED_CODE}, and its
 * clients reconnect at once, with their {@code lastServerClock}, to the loaded room. A write the old owner makes
 * after the claim is fenced and was never acknowledged; its client resends it after reconnecting.
 *
 * <p>Thread-safe.
 */
final class Handoff {
    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);
    /** The close code of sessions whose room moved: 1013 "try again later", and the client reconnects at once. */
    static final int MOVED_CODE = 1013;

    /** The close reason sent with {@link #MOVED_CODE}: one the transport sends as is. */
    static final String MOVED_REASON = "server shutting down";

    private final ClusterNode node;
    private final Relay relay;
    private final Leases leases;
    private final Executor pool;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> asked = new ConcurrentHashMap<>();

    Handoff(ClusterNode node, Relay relay, Leases leases, Executor pool) {
        this.node = node;
        this.relay = relay;
        this.leases = leases;
        this.pool = pool;
    }

    /** Handles {@code H} and {@code K}; returns false for other types. Runs on the subscriber thread. */
    boolean onMessage(RelayMessage m) {
        if (m.type() == 'H') {
            String[] f = m.fields(2);
            if (f.length == 2) {
                execute(() -> take(m.cid(), f[0], f[1]));
            }
            return true;
        }
        if (m.type() == 'K') {
            CompletableFuture<Void> ready = asked.remove(m.cid());
            if (ready != null) {
                // the old owner closes the room's sessions off the subscriber thread
                String answer = m.body();
                execute(() -> {
                    if (answer.equals("ok")) {
                        ready.complete(null);
                    } else {
                        ready.completeExceptionally(new IllegalStateException(answer));
                    }
                });
            }
            return true;
        }
        return false;
    }

    private void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** New owner: takes the room whose lease was moved here, loads it and answers once it can serve. */
    private void take(String id, String from, String roomId) {
        node.route(roomId)
                .thenCompose(route -> route instanceof ClusterNode.Local l
                        ? l.term().room.sessions().thenApply(s -> "ok")
                        : CompletableFuture.completedFuture(
                                "the lease names " + ((ClusterNode.Remote) route).ownerNode()))
                .exceptionally(ClusterNode::rootMessage)
                .thenAccept(answer -> {
                    LOG.info("node {} took room {} handed over by {}: {}", relay.nodeId(), roomId, from, answer);
                    relay.publish(from, "K" + id + "\n" + answer);
                });
    }

    /**
     * Old owner: hands every room in {@code terms} to the live nodes (in turn), waiting at most {@code timeout}.
     * Returns how many rooms moved; a room that could not move is dropped like on a plain stop.
     */
    int drain(List<OwnedRoom> terms, Duration timeout) {
        if (terms.isEmpty()) {
            return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> targets;
        try {
            targets = leases.liveNodes(relay.channel("")).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("node {}: cannot list live nodes, rooms not handed over: {}", relay.nodeId(), e.toString());
            return 0;
        }
        if (targets.isEmpty()) {
            LOG.info("node {}: no other live node to hand {} rooms to", relay.nodeId(), terms.size());
            return 0;
        }
        List<CompletableFuture<Boolean>> moves = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            moves.add(handOver(terms.get(i), targets.get(i % targets.size()), timeout));
        }
        int moved = 0;
        for (CompletableFuture<Boolean> m : moves) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (m.get(left, TimeUnit.NANOSECONDS)) {
                    moved++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // counted as not moved; the term is dropped by the caller
            }
        }
        return moved;
    }

    private CompletableFuture<Boolean> handOver(OwnedRoom term, String target, Duration timeout) {
        term.handingOff = true;
        long started = System.nanoTime();
        return term.room
                .flush()
                // from here the room's writes wait, and those sent complete: the new owner's claim fences none
                .thenCompose(v -> term.store.hold())
                .thenCompose(v -> leases.transfer(term.roomId, target))
                .thenCompose(transferred -> {
                    if (!transferred) {
                        return CompletableFuture.failedFuture(new IllegalStateException("the lease was not ours"));
                    }
                    String id = UUID.randomUUID().toString();
                    CompletableFuture<Void> ready = new CompletableFuture<>();
                    asked.put(id, ready);
                    ready.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> asked.remove(id));
                    relay.publish(target, "H" + id + "\n" + relay.nodeId() + "\n" + term.roomId);
                    return ready;
                })
                .handle((v, error) -> {
                    if (error != null) {
                        LOG.warn(
                                "node {}: room {} not handed over to {}: {}",
                                relay.nodeId(),
                                term.roomId,
                                target,
                                ClusterNode.rootMessage(error));
                        // dropping the term retires its store, which refuses the held writes (never acknowledged)
                        node.endTerm(term, "hand-over failed");
                        return false;
                    }
                    relay.closeRoomSessions(term.roomId, MOVED_CODE, MOVED_REASON);
                    node.endTerm(term, "handed over to " + target);
                    LOG.info(
                            "node {} handed room {} to {} in {} ms",
                            relay.nodeId(),
                            term.roomId,
                            target,
                            (System.nanoTime() - started) / 1_000_000);
                    return true;
                });
    }
}
