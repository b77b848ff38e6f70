package org.civiccredit.scoring.cache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Pauses the test Redis server's clients ({@code CLIENT PAUSE}) over a connection of its own, outside the
 * service's pool, so a test can make the service's commands wait (and time out) without stopping Redis.
 */
public final class RedisPause {

    private RedisPause() {
    }

    /** Holds every write command (EVAL and EVALSHA included) of every client for {@code time}. */
    public static void writes(Duration time) throws IOException {
        command("CLIENT", "PAUSE", Long.toString(time.toMillis()), "WRITE");
    }

    /** Holds every command of every client for {@code time}. */
    public static void all(Duration time) throws IOException {
        command("CLIENT", "PAUSE", Long.toString(time.toMillis()), "ALL");
    }

    /** Ends a pause at once. */
    public static void end() throws IOException {
        command("CLIENT", "UNPAUSE");
    }

    private static void command(String... args) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            resp.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", 6379)) {
            socket.getOutputStream().write(resp.toString().getBytes(StandardCharsets.US_ASCII));
            String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (reply == null || !reply.startsWith("+")) {
                throw new IOException("Redis refused " + String.join(" ", args) + ": " + reply);
            }
        }
    }
}
