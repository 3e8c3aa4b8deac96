package dev.tandem.sync.client.internal.offline;

import dev.tandem.sync.client.SyncWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The checked settings of one worker, made by {@code SyncWorker.Builder}. */
public record WorkerSettings(
        Path directory,
        List<String> rooms,
        SyncWorker.PushHandler pushHandler,
        SyncWorker.PullHandler pullHandler,
        int batchSize,
        int pullLimit,
        Duration interval,
        Duration backoff,
        Duration maxBackoff,
        @Nullable Supplier<@Nullable String> getCursor,
        @Nullable Consumer<String> setCursor,
        SyncWorker.LocalStore store,
        SyncWorker.Listener listener,
        Executor publisherExecutor) {}
