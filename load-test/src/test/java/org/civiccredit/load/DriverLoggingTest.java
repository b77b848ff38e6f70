package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.Test;

class DriverLoggingTest {

    @Test
    void theGrpcStacksDebugOutputIsNotBuiltButItsWarningsAreWritten() {
        InternalLogger frames = InternalLoggerFactory.getInstance("io.grpc.netty.NettyClientHandler");
        DriverLogging.configure();

        assertThat(frames.isDebugEnabled()).as("Netty's HTTP/2 frame logger at DEBUG").isFalse();
        assertThat(frames.isInfoEnabled()).isTrue();

        List<LogRecord> written = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                written.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = LogContext.getLogContext().getLogger("");
        assertThat(root.getHandlers()).hasSize(1);
        root.addHandler(capture);
        try {
            frames.debug("a frame");
            frames.warn("a connection was reset");
        } finally {
            root.removeHandler(capture);
        }
        assertThat(written).extracting(LogRecord::getMessage).containsExactly("a connection was reset");
    }
}
