package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A simulated protocol client that follows tldraw's client algorithm (§5 of the protocol notes): local
 * changes are optimistic, pushed as diffs, and rebased on every server message — confirmed server state,
 * then pending pushes, then unsent changes re-applied on top. Frames are delivered only when the test calls
 * {@link #deliver()}, so tests control delay and interleaving. Not thread-safe.
 */
public final class SimClient {
    private final String sessionId;
    private final boolean readOnly;
    private @Nullable RecordingSocket socket;
    private @Nullable SocketHandler handler;
    private final List<String> inbox = new ArrayList<>();

    /** The server state as this client last learned it (documents and others' presence). */
    private final TreeMap<String, FrozenMap> confirmed = new TreeMap<>();

    private record Pending(long clientClock, @Nullable NetworkDiff diff) {}

    private final List<Pending> pending = new ArrayList<>();
    /** Local document changes not yet pushed, in order; re-applied on top of confirmed state. */
    private final List<NetworkDiff> unsent = new ArrayList<>();

    private @Nullable FrozenMap presence;
    private @Nullable FrozenMap lastPushedPresence;
    private long clientClock;
    private long lastServerClock = -1;
    private boolean connected;
    private @Nullable String connectRequestId;
    private int connects;
    private @Nullable String lastHydration;
    private final Map<String, Object> schema;

    public SimClient(String sessionId, boolean readOnly, Map<String, Object> schema) {
        this.sessionId = sessionId;
        this.readOnly = readOnly;
        this.schema = schema;
    }

    /** Opens a new socket to the room and sends {@code connect}. */
    public void open(Room room) {
        socket = new RecordingSocket();
        handler = room.connect(socket, new SessionOptions(sessionId, readOnly, Map.of()));
        connectRequestId = sessionId + "-" + (++connects);
        send(new ClientMessage.Connect(connectRequestId, lastServerClock, 8, schema));
    }

    /** Drops the connection as a network failure would; pending pushes become unsent changes again. */
    public void disconnect() {
        if (handler != null) {
            handler.onClose();
        }
        if (socket != null) {
            socket.discardRemaining(); // frames in flight are lost with the connection
            socket.close();
        }
        inbox.clear();
        handler = null;
        socket = null;
        resetConnection();
    }

    private void resetConnection() {
        connected = false;
        List<NetworkDiff> again = new ArrayList<>();
        for (Pending p : pending) {
            if (p.diff() != null) {
                again.add(p.diff());
            }
        }
        again.addAll(unsent);
        pending.clear();
        unsent.clear();
        unsent.addAll(again);
        lastPushedPresence = null;
        confirmed.keySet().removeIf(this::isPresenceId);
    }

    /** Returns true while the client has a socket the server has not closed. */
    public boolean isOpen() {
        return socket != null && socket.isOpen();
    }

    public boolean isConnected() {
        return connected;
    }

    /** Moves frames the server sent into the client's inbox (they are not processed yet). */
    public void receive() {
        if (socket == null) {
            return;
        }
        inbox.addAll(socket.drain());
        if (!socket.isOpen() && inbox.isEmpty()) {
            Integer code = socket.closeCode();
            if (code != null && code == 4099) {
                throw new AssertionError("session " + sessionId + " rejected: " + socket.closeReason());
            }
            socket = null;
            handler = null;
            resetConnection();
        }
    }

    /** Processes every frame in the inbox, then pushes whatever is unsent. */
    public void deliver() {
        receive();
        List<String> frames = new ArrayList<>(inbox);
        inbox.clear();
        for (String f : frames) {
            handle(ProtocolCodec.decodeServer(f));
        }
        flush();
    }

    private void handle(ServerMessage message) {
        if (message instanceof ServerMessage.Connect c) {
            if (!Objects.equals(c.connectRequestId(), connectRequestId)) {
                return;
            }
            lastHydration = c.hydrationType().wireName();
            // speculative changes survive a reconnect: they are unsent again
            if (c.hydrationType() == ServerMessage.HydrationType.WIPE_ALL) {
                confirmed.clear();
            } else {
                confirmed.keySet().removeIf(this::isPresenceId);
            }
            applyTo(confirmed, c.diff());
            connected = true;
            lastServerClock = c.serverClock();
        } else if (message instanceof ServerMessage.Data d) {
            if (!connected) {
                return;
            }
            for (ServerMessage.DataMessage m : d.data()) {
                if (m instanceof ServerMessage.Patch p) {
                    applyTo(confirmed, p.diff());
                    lastServerClock = p.serverClock();
                } else if (m instanceof ServerMessage.PushResult r) {
                    if (pending.isEmpty() || pending.get(0).clientClock() != r.clientClock()) {
                        throw new AssertionError(sessionId + ": push_result " + r + " does not match " + pending);
                    }
                    Pending p = pending.remove(0);
                    if (r.action() instanceof ServerMessage.PushAction.Commit && p.diff() != null) {
                        applyTo(confirmed, p.diff());
                    } else if (r.action() instanceof ServerMessage.PushAction.RebaseWithDiff rb) {
                        applyTo(confirmed, rb.diff());
                    }
                    lastServerClock = r.serverClock();
                }
            }
        }
    }

    /** Returns the client's current view: confirmed state with pending and unsent changes on top. */
    public TreeMap<String, FrozenMap> view() {
        TreeMap<String, FrozenMap> v = new TreeMap<>(confirmed);
        for (Pending p : pending) {
            if (p.diff() != null) {
                applyTo(v, p.diff());
            }
        }
        for (NetworkDiff d : unsent) {
            applyTo(v, d);
        }
        return v;
    }

    /** Returns the document records (no presence) of the current view. */
    public TreeMap<String, FrozenMap> documents() {
        TreeMap<String, FrozenMap> v = view();
        v.keySet().removeIf(this::isPresenceId);
        return v;
    }

    /** Returns the presence records of other sessions this client sees. */
    public TreeMap<String, FrozenMap> peersPresence() {
        TreeMap<String, FrozenMap> v = new TreeMap<>(confirmed);
        v.keySet().removeIf(id -> !isPresenceId(id));
        return v;
    }

    private boolean isPresenceId(String id) {
        return id.startsWith("instance_presence:");
    }

    /** Makes a local change: put a whole record. */
    public void put(Map<String, ?> record) {
        FrozenMap r = Frozen.freezeMap(record);
        unsent.add(NetworkDiff.of(Map.of((String) r.get("id"), new RecordOp.Put(r))));
    }

    /** Makes a local change: replace an existing record by a new version, sent as a patch. */
    public void update(Map<String, ?> next) {
        FrozenMap n = Frozen.freezeMap(next);
        String id = (String) n.get("id");
        FrozenMap prev = view().get(id);
        if (prev == null) {
            return;
        }
        ObjectDiff d = ObjectDiff.diffRecord(prev, n);
        if (d != null) {
            unsent.add(NetworkDiff.of(Map.of(id, new RecordOp.Patch(d))));
        }
    }

    /** Makes a local change: delete a record. */
    public void remove(String id) {
        if (view().containsKey(id)) {
            unsent.add(NetworkDiff.of(Map.of(id, RecordOp.Remove.INSTANCE)));
        }
    }

    /** Sets this client's presence record (pushed on the next flush). */
    public void presence(Map<String, ?> record) {
        presence = Frozen.freezeMap(record);
    }

    /** Pushes unsent changes and changed presence, as one push, if connected. */
    public void flush() {
        if (!connected || socket == null) {
            return;
        }
        NetworkDiff diff = null;
        if (!unsent.isEmpty()) {
            TreeMap<String, FrozenMap> base = new TreeMap<>(confirmed);
            for (Pending p : pending) {
                if (p.diff() != null) {
                    applyTo(base, p.diff());
                }
            }
            TreeMap<String, FrozenMap> next = new TreeMap<>(base);
            for (NetworkDiff d : unsent) {
                applyTo(next, d);
            }
            unsent.clear();
            diff = netDiff(base, next);
        }
        RecordOp presenceOp = null;
        if (presence != null) {
            if (lastPushedPresence == null) {
                presenceOp = new RecordOp.Put(presence);
            } else {
                ObjectDiff d = ObjectDiff.diffRecord(lastPushedPresence, presence);
                if (d != null) {
                    presenceOp = new RecordOp.Patch(d);
                }
            }
            lastPushedPresence = presence;
        }
        if (diff == null && presenceOp == null) {
            return;
        }
        long clock = clientClock++;
        pending.add(new Pending(clock, diff));
        send(new ClientMessage.Push(clock, diff, presenceOp));
    }

    /** Sends a ping. */
    public void ping() {
        send(ClientMessage.Ping.INSTANCE);
    }

    /** Sends a raw text frame, bypassing the protocol. */
    public void sendRaw(String frame) {
        if (handler != null) {
            handler.onText(frame);
        }
    }

    private void send(ClientMessage message) {
        if (handler != null) {
            handler.onText(ProtocolCodec.encode(message));
        }
    }

    private static @Nullable NetworkDiff netDiff(Map<String, FrozenMap> base, Map<String, FrozenMap> next) {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        for (Map.Entry<String, FrozenMap> e : next.entrySet()) {
            FrozenMap prev = base.get(e.getKey());
            if (prev == null) {
                ops.put(e.getKey(), new RecordOp.Put(e.getValue()));
            } else {
                ObjectDiff d = ObjectDiff.diffRecord(prev, e.getValue());
                if (d != null) {
                    ops.put(e.getKey(), new RecordOp.Patch(d));
                }
            }
        }
        for (String id : base.keySet()) {
            if (!next.containsKey(id)) {
                ops.put(id, RecordOp.Remove.INSTANCE);
            }
        }
        return ops.isEmpty() ? null : new NetworkDiff(ops);
    }

    /** Applies a network diff to a record map the way tldraw's client does. */
    public static void applyTo(Map<String, FrozenMap> store, NetworkDiff diff) {
        for (Map.Entry<String, RecordOp> e : diff.ops().entrySet()) {
            RecordOp op = e.getValue();
            if (op instanceof RecordOp.Put put) {
                store.put(e.getKey(), Frozen.freezeMap(put.record()));
            } else if (op instanceof RecordOp.Patch patch) {
                FrozenMap prev = store.get(e.getKey());
                if (prev != null && patch.diff().apply(prev) instanceof FrozenMap next) {
                    store.put(e.getKey(), next);
                }
            } else {
                store.remove(e.getKey());
            }
        }
    }

    public String sessionId() {
        return sessionId;
    }

    public long lastServerClock() {
        return lastServerClock;
    }

    public @Nullable String lastHydration() {
        return lastHydration;
    }

    public @Nullable RecordingSocket socket() {
        return socket;
    }
}
