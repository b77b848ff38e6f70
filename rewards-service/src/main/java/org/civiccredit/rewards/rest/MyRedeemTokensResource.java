package org.civiccredit.rewards.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.rewards.api.WalletApi;

/**
 * Issues the caller a one-time redeem token over HTTP (WalletService.IssueRedeemToken), to show a merchant. The
 * {@code Idempotency-Key} header is the call's idempotency key, kept with the gRPC call's keys: a retry with the
 * same key and body answers the same token, whichever transport either came by.
 */
@Path("/api/v1/me/redeem-tokens")
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyRedeemTokensResource {

    /** The header carrying the idempotency key of a mutating request. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Body of a request: optionally, the offer to bind the token to (its eligibility is checked now). */
    public record TokenBody(String offerId) {
    }

    @Inject
    WalletApi api;

    /** 201 with the token; a replay with the same key and body answers the same token. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response issue(@HeaderParam(IDEMPOTENCY_KEY) String key, TokenBody body) {
        RedeemToken token = api.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(key == null ? "" : key)
                .setOfferId(body == null || body.offerId() == null ? "" : body.offerId())
                .build());
        return Response.status(Response.Status.CREATED).entity(token).build();
    }
}
