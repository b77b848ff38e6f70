package org.civiccredit.load;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A bearer token that is renewed before it expires: {@link #get()} renews synchronously when less than a third
 * of the lifetime is left, and {@link #keepFresh} renews in the background at two thirds of it, so the
 * measured hot paths never wait for Keycloak.
 */
public final class RefreshingToken {

    private final String name;
    private final UnaryOperator<Keycloak.Grant> renew;
    private volatile Keycloak.Grant grant;
    private volatile long renewAtNanos;

    RefreshingToken(String name, UnaryOperator<Keycloak.Grant> renew) {
        this.name = name;
        this.renew = renew;
    }

    /** The current access token, renewed first if it is due. */
    public String get() {
        if (grant == null || System.nanoTime() - renewAtNanos >= 0) {
            refresh(false);
        }
        return grant.accessToken();
    }

    /** Renews the token in the background, every two thirds of its lifetime. */
    public RefreshingToken keepFresh(ScheduledExecutorService scheduler) {
        get();
        long every = Math.max(5, grant.lifetime().toSeconds() * 2 / 3);
        scheduler.scheduleAtFixedRate(() -> {
            try {
                refresh(true);
            } catch (RuntimeException e) {
                System.err.println("load: could not renew the token of " + name + ": " + e.getMessage());
            }
        }, every, every, TimeUnit.SECONDS);
        return this;
    }

    private synchronized void refresh(boolean force) {
        if (!force && grant != null && System.nanoTime() - renewAtNanos < 0) {
            return;
        }
        Keycloak.Grant next = renew.apply(grant);
        Duration lifetime = next.lifetime();
        grant = next;
        renewAtNanos = System.nanoTime() + lifetime.toNanos() * 2 / 3;
    }
}
