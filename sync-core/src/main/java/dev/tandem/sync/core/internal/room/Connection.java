package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.protocol.ChunkAssembler;
import dev.tandem.sync.core.internal.protocol.ClientMessage;

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
    private volatile boolean failed;

    Connection(SyncRoom room, SessionSocket socket, SessionOptions options, int maxMessageChars) {
        this.room = room;
        this.socket = socket;
        this.options = options;
        this.assembler = new ChunkAssembler(maxMessageChars);
    }

    @Override
    public void onText(String text) {
        if (failed) {
            return;
        }
        ClientMessage message;
        try {
            ChunkAssembler.Result result = assembler.accept(text);
            if (result instanceof ChunkAssembler.Incomplete) {
                return;
            }
            if (result instanceof ChunkAssembler.Error error) {
                fail(error.message());
                return;
            }
            message = ((ChunkAssembler.Message) result).message();
        } catch (SyncException | IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        room.lane().execute(() -> room.handleMessage(this, message));
    }

    private void fail(String why) {
        failed = true;
        room.lane().execute(() -> room.rejectConnection(this, CloseReason.UNKNOWN_ERROR, why));
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
