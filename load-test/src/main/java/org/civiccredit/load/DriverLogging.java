package org.civiccredit.load;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.logmanager.LogContext;

/**
 * The driver's logging, set before anything logs. The driver is a plain Java program on the gRPC stack Quarkus
 * brings (quarkus-grpc), and that stack's JBoss LogManager starts, as in a Quarkus application, with every level
 * enabled and a handler that holds records until the Quarkus runtime configures logging, which never happens here.
 * Netty's HTTP/2 frame logger, which logs every frame at DEBUG, then formatted each frame's headers for nothing:
 * 13 % of the driver's CPU in an open-loop GetScore phase, and garbage for its collector (docs/performance.md,
 * twentieth round). Here the root logger is at INFO and writes to standard error, so the libraries' warnings
 * are seen and their debug output is not built.
 */
final class DriverLogging {

    private DriverLogging() {
    }

    static void configure() {
        Logger root = LogContext.getLogContext().getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }
}
