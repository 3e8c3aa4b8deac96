package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.internal.protocol.ChunkAssembler;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.ratelimit.TokenBucket;

/**
 * One transport connection of a session. Frames are reassembled and decoded on the transport's thread (the
 * adapter calls serially), then handled on the room's lane. Once a frame fails to decode, the connection
 * ignores everything after it.
 */
final class Connection implements SocketHandler {
    final SyncRoom room;
    final SessionSocket socket;
    final SessionOptions options;
    private final ChunkAssembler assembler;
    private final Scheduler clock;
    private final TokenBucket messages;
    private final TokenBucket chars;
    private volatile boolean failed;

    Connection(SyncRoom room, SessionSocket socket, SessionOptions options, RoomOptions roomOptions) {
        this.room = room;
        this.socket = socket;
        this.options = options;
        this.assembler = new ChunkAssembler(roomOptions.maxMessageChars());
        this.clock = roomOptions.scheduler();
        SyncLimits limits = roomOptions.limits();
        long now = clock.nanoTime();
        this.messages = new TokenBucket(limits.messageBurst(), limits.messagesPerSecond(), now);
        this.chars = new TokenBucket(limits.charBurst(), limits.charsPerSecond(), now);
    }

    @Override
    public void onText(String text) {
        if (failed) {
            return;
        }
        long now = clock.nanoTime();
        if (!messages.tryTake(1, now) || !chars.tryTake(text.length(), now)) {
            fail(CloseReason.RATE_LIMITED, "rate limit exceeded");
            return;
        }
        ClientMessage message;
        try {
            ChunkAssembler.Result result = assembler.accept(text);
            if (result instanceof ChunkAssembler.Incomplete) {
                return;
            }
            if (result instanceof ChunkAssembler.Error error) {
                // resending an oversized message would fail again, so the client is told not to retry it
                fail(error.tooLarge() ? CloseReason.MESSAGE_TOO_LARGE : CloseReason.UNKNOWN_ERROR, error.message());
                return;
            }
            message = ((ChunkAssembler.Message) result).message();
        } catch (SyncException | IllegalArgumentException e) {
            fail(CloseReason.UNKNOWN_ERROR, e.getMessage());
            return;
        }
        // decoded on the transport's thread; the room runs there too when its lane is idle
        room.lane().executeHere(() -> room.handleMessage(this, message));
    }

    private void fail(CloseReason reason, String why) {
        failed = true;
        room.lane().execute(() -> room.rejectConnection(this, reason, why));
    }

    @Override
    public void onClose() {
        room.lane().execute(() -> room.handleSocketClosed(this));
    }

    @Override
    public void onError(Throwable cause) {
        room.lane().execute(() -> room.handleSocketClosed(this));
    }
}
