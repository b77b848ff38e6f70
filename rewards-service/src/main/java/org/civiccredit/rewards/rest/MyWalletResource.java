package org.civiccredit.rewards.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.rewards.api.WalletApi;

/**
 * The caller's own wallet over HTTP (WalletService.GetWallet): balances, lots and recent movements, as the proto3
 * JSON of {@code Wallet}. Query parameters are read as text and checked here, so a malformed one is a 400 problem
 * naming it rather than JAX-RS' bare 404.
 */
@Path("/api/v1/me/wallet")
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyWalletResource {

    @Inject
    WalletApi api;

    /**
     * @param includeClosedLots {@code true} to list spent, expired and reversed lots too (default {@code false})
     * @param recentMovementsLimit how many recent movements, 0 (the default, meaning 20) to 200
     */
    @GET
    public Wallet get(@QueryParam("includeClosedLots") String includeClosedLots,
            @QueryParam("recentMovementsLimit") String recentMovementsLimit) {
        return api.getWallet(GetWalletRequest.newBuilder()
                .setIncludeClosedLots(flag(includeClosedLots))
                .setRecentMovementsLimit(limit(recentMovementsLimit))
                .build());
    }

    private static boolean flag(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw Refusal.invalid("include_closed_lots", "true or false");
        };
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw Refusal.invalid("recent_movements_limit", "a whole number, 0 (default "
                    + WalletApi.DEFAULT_MOVEMENTS + ") to " + WalletApi.MAX_MOVEMENTS);
        }
    }
}
