package org.civiccredit.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The few Redis commands the driver needs (INFO, HGET, SELECT, SUBSCRIBE), spoken directly in RESP2 over one
 * socket: reading the live score cache and following its change channel needs nothing more, and it keeps a
 * client library out of the driver's measurements.
 */
public final class RedisWire implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RedisWire(String host, int port) {
        try {
            socket = new Socket(Loopback.require(host), port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("Redis unreachable at " + host + ":" + port, e);
        }
    }

    /** Sends one command and returns its reply: a String, Long, List of replies, or null. */
    public synchronized Object call(String... args) {
        try {
            write(args);
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Subscribes to {@code channel} and hands every message's payload to {@code onMessage} on a daemon thread,
     * until the connection is closed. The subscription is confirmed before this returns.
     */
    public void subscribe(String channel, Consumer<String> onMessage) {
        try {
            write("SUBSCRIBE", channel);
            read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    if (read() instanceof List<?> message && message.size() == 3 && "message".equals(message.get(0))) {
                        onMessage.accept((String) message.get(2));
                    }
                }
            } catch (IOException | RuntimeException closed) {
                // the connection was closed: the subscription ends
            }
        }, "redis-subscriber-" + channel);
        reader.setDaemon(true);
        reader.start();
    }

    private void write(String... args) throws IOException {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("Redis closed the connection");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException("Redis: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length);
                in.readNBytes(2);
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected Redis reply type " + (char) type);
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
