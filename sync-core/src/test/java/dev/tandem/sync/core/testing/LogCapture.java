package dev.tandem.sync.core.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures, for each test, what one class logs at DEBUG and above. Register it as a field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final LogCapture log = LogCapture.of(SyncRoom.class);
 * }</pre>
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private @Nullable Level level;

    private LogCapture(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        lines.start();
        logger.addAppender(lines);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(lines);
        logger.setLevel(level);
    }

    /** The lines logged so far in this test, oldest first (a live list). */
    public List<ILoggingEvent> lines() {
        return lines.list;
    }
}
