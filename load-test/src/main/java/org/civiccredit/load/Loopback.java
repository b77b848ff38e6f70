package org.civiccredit.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The driver only ever sends traffic to this machine: every host it is given (gRPC targets, Keycloak,
 * Redis, PostgreSQL) must resolve to loopback addresses only, or the run stops before a single request.
 */
public final class Loopback {

    private Loopback() {
    }

    /** Returns {@code host} when every address it resolves to is a loopback address; throws otherwise. */
    public static String require(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("no host given");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host + ": refusing to send load there", e);
        }
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException(host + " resolves to " + a.getHostAddress()
                        + ", which is not a loopback address: the load driver only targets this machine");
            }
        }
        return host;
    }

    /** The URL when its host is loopback-only (see {@link #require(String)}). */
    public static String requireUrl(String url) {
        require(URI.create(url).getHost());
        return url;
    }

    /** The JDBC URL ({@code jdbc:postgresql://host:port/db}) when its host is loopback-only. */
    public static String requireJdbc(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("not a JDBC URL: " + jdbcUrl);
        }
        requireUrl(jdbcUrl.substring("jdbc:".length()));
        return jdbcUrl;
    }
}
