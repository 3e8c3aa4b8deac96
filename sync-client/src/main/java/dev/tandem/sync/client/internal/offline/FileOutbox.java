package dev.tandem.sync.client.internal.offline;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.internal.protocol.OfflineCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable queue of push events: one file per event in {@code pending/}, named by a sequence number, holding
 * the event's JSON. A file is written as {@code *.tmp}, forced to disk, renamed into place and the directory
 * forced, so an event is either wholly there or absent after a crash; leftover {@code *.tmp} files are deleted
 * on open. Rejected events move to {@code failed/}. The directory is locked while open.
 *
 * <p>Thread-safe (every method is synchronized); file work happens under the lock, so enqueues wait for each
 * other's fsync.
 */
final class FileOutbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileOutbox.class);
    private static final String SUFFIX = ".json";

    /** An event in the outbox and its sequence number. */
    record Entry(long seq, PushEvent event) {}

    private final Path pending;
    private final Path failed;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final TreeMap<Long, PushEvent> events = new TreeMap<>();
    private final TreeMap<Long, PushEvent> failedEvents = new TreeMap<>();
    private long nextSeq;
    private boolean closed;

    private FileOutbox(Path dir, FileChannel lockChannel, FileLock lock) {
        this.pending = dir.resolve("pending");
        this.failed = dir.resolve("failed");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the outbox in {@code dir} and reads what is in it.
     *
     * @throws IllegalStateException if another worker holds the directory
     */
    static FileOutbox open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("pending"));
        Files.createDirectories(dir.resolve("failed"));
        FileChannel channel =
                FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("the outbox " + dir + " is in use by another worker");
        }
        FileOutbox box = new FileOutbox(dir, channel, lock);
        try {
            box.recover(box.pending, box.events);
            box.recover(box.failed, box.failedEvents);
        } catch (IOException | RuntimeException e) {
            box.close();
            throw e;
        }
        long max = Math.max(
                box.events.isEmpty() ? 0 : box.events.lastKey(),
                box.failedEvents.isEmpty() ? 0 : box.failedEvents.lastKey());
        box.nextSeq = max + 1;
        return box;
    }

    private void recover(Path dir, TreeMap<Long, PushEvent> into) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.endsWith(SUFFIX)) {
                    // a write that did not reach its rename: the enqueue did not return, so nothing was promised
                    Files.deleteIfExists(f);
                    continue;
                }
                long seq;
                try {
                    seq = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring unexpected file {} in the outbox", f);
                    continue;
                }
                String json = Files.readString(f, StandardCharsets.UTF_8);
                into.put(seq, OfflineCodec.decodeEvent(Json.parse(json), f.toString()));
            }
        }
    }

    /** Writes an event durably and returns its sequence number. */
    synchronized long add(PushEvent event) {
        checkOpen();
        long seq = nextSeq++;
        byte[] bytes = OfflineCodec.encodeEvent(event).getBytes(StandardCharsets.UTF_8);
        Path tmp = pending.resolve(name(seq) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(tmp, pending.resolve(name(seq)));
            forceDirectory(pending);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write event " + event.id() + " to the outbox " + pending, e);
        }
        events.put(seq, event);
        return seq;
    }

    /** Returns up to {@code max} of the oldest events. */
    synchronized List<Entry> peek(int max) {
        List<Entry> out = new ArrayList<>(Math.min(max, events.size()));
        for (Map.Entry<Long, PushEvent> e : events.entrySet()) {
            if (out.size() == max) {
                break;
            }
            out.add(new Entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Removes an answered event. If the deletion is lost in a crash the event is sent again, harmlessly. */
    synchronized void remove(long seq) {
        checkOpen();
        if (events.remove(seq) == null) {
            return;
        }
        try {
            Files.deleteIfExists(pending.resolve(name(seq)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove an event from the outbox " + pending, e);
        }
    }

    /** Moves a rejected event to {@code failed/}. */
    synchronized void markFailed(long seq) {
        checkOpen();
        PushEvent e = events.remove(seq);
        if (e == null) {
            return;
        }
        try {
            move(pending.resolve(name(seq)), failed.resolve(name(seq)));
        } catch (NoSuchFileException gone) {
            // already moved by an earlier attempt
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot move a rejected event to " + failed, ex);
        }
        failedEvents.put(seq, e);
    }

    synchronized List<PushEvent> pending() {
        return List.copyOf(events.values());
    }

    synchronized List<PushEvent> failed() {
        return List.copyOf(failedEvents.values());
    }

    synchronized int size() {
        return events.size();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Closing the outbox lock failed: {}", e.toString());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the worker is closed");
        }
    }

    private static String name(long seq) {
        return String.format("%020d", seq) + SUFFIX;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename in {@code dir} durable; a no-op where directories cannot be opened (Windows). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform; the file itself was forced
        }
    }

    /** Writes a small file atomically and durably: temporary file, force, rename, force the directory. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        move(tmp, file);
        forceDirectory(file.getParent());
    }

    /** Reads a small file, or returns null if it does not exist. */
    static @Nullable String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
