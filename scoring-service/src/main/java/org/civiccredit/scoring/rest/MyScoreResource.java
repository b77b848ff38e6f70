package org.civiccredit.scoring.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.grpc.ScoreMapping;
import org.civiccredit.scoring.service.OwnScores;

/**
 * The participant's own score over HTTP, for the browser and phone app: served by scoring-service itself, which
 * owns scores, with the same Keycloak token, the same application service and the same messages as
 * ScoreService (as proto3 JSON); errors are RFC 9457 problem documents (service-kit ProblemMapping). The token
 * subject decides whose score it is; nothing here names a participant.
 */
@Path("/api/v1/me/score")
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyScoreResource {

    private static final OwnScores.PagingFields PAGING = new OwnScores.PagingFields("pageSize", "pageToken");
    private static final String STATUS_PREFIX = "EVENT_STATUS_";

    @Inject
    OwnScores ownScores;

    @Inject
    Caller caller;

    /** The caller's score, tier and version, as GetScore answers it. */
    @GET
    public Score score() {
        return ScoreMapping.toProto(ownScores.score(caller.subject(), Instant.now()));
    }

    /**
     * One page of the entries behind the caller's score, newest first, as GetScoreBreakdown answers it.
     *
     * @param pageSize  entries per page: 0 or absent for 50, at most 500
     * @param pageToken {@code nextPageToken} of the previous page, with the same status filter
     * @param statuses  only entries in these statuses (repeatable or comma-separated: COUNTING, FROZEN,
     *                  REVERSED, EXPIRED, also with the {@code EVENT_STATUS_} prefix the entries carry); none for all
     */
    @GET
    @Path("/breakdown")
    public GetScoreBreakdownResponse breakdown(@QueryParam("pageSize") String pageSize,
            @QueryParam("pageToken") String pageToken, @QueryParam("status") List<String> statuses) {
        Violations v = new Violations();
        int size = 0;
        if (pageSize != null && !pageSize.isBlank()) {
            try {
                size = Integer.parseInt(pageSize.strip());
            } catch (NumberFormatException e) {
                v.add(PAGING.size(), "a whole number: 0 (default 50) or more, at most 500 are returned");
            }
        }
        Set<EventStatus> filter = EnumSet.noneOf(EventStatus.class);
        for (String listed : statuses) {
            for (String value : listed.split(",", -1)) {
                String name = value.strip().toUpperCase(Locale.ROOT);
                try {
                    filter.add(EventStatus.valueOf(name.startsWith(STATUS_PREFIX)
                            ? name.substring(STATUS_PREFIX.length()) : name));
                } catch (IllegalArgumentException unknown) {
                    v.add("status", "'" + value + "' is not one of COUNTING, FROZEN, REVERSED, EXPIRED");
                }
            }
        }
        Instant now = Instant.now();
        return ScoreMapping.toProto(ownScores.breakdown(caller.subject(), filter, size,
                pageToken == null ? "" : pageToken, PAGING, v, now), now);
    }
}
