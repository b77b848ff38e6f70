package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.idempotency.IdempotentCalls.Answered;
import org.civiccredit.kit.idempotency.IdempotentCalls.Claim;
import org.junit.jupiter.api.Test;

/**
 * A call's stored response is written in place: the participant the request names is written with the key, so that
 * storing the response changes no indexed column and PostgreSQL makes it a HOT update (no new index entries), alone
 * and for a group's calls. The counts are PostgreSQL's own for the transaction ({@code pg_stat_xact_user_tables}),
 * read at its start and its end. Writing the participant with the response made every such update add entries to the
 * table's two indexes.
 */
@QuarkusTest
class IdempotentResponseInPlaceTest {

    private static final String SCOPE = "in-place-test/SubmitReport";

    @Inject
    IdempotentCalls idempotent;

    @Inject
    EntityManager em;

    /** Rows of idempotency_key a transaction updated, and how many of those updates were HOT. */
    record Updates(long updated, long inPlace) {
    }

    @Test
    void aCallsResponseIsStoredInPlace() {
        SubmitReportRequest request = request();
        Updates updates = QuarkusTransaction.requiringNew().call(() -> {
            Updates before = updatesSoFar();
            idempotent.once(SCOPE, request.getIdempotencyKey(), request, Report.parser(), () -> answer(request));
            return since(before);
        });
        assertThat(updates).as("the response stored with one update, made in place").isEqualTo(new Updates(1, 1));
        assertThat(participantOf(request.getIdempotencyKey())).isEqualTo(request.getParticipantId());
    }

    @Test
    void aGroupsResponsesAreStoredInPlace() {
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SubmitReportRequest request = request();
            claims.add(new Claim(SCOPE, request.getIdempotencyKey(), request));
        }
        Updates updates = QuarkusTransaction.requiringNew().call(() -> {
            Updates before = updatesSoFar();
            assertThat(idempotent.claimAll(claims)).containsOnly(true);
            assertThat(claims).allSatisfy(c -> assertThat(participantOf(c.key()))
                    .as("written with the key").isEqualTo(((SubmitReportRequest) c.request()).getParticipantId()));
            idempotent.storeAll("SubmitReport", claims.stream().map(c -> new Answered(c, "agency:in-place-test",
                    answer((SubmitReportRequest) c.request()))).toList());
            return since(before);
        });
        assertThat(updates).as("ten responses stored, each in place").isEqualTo(new Updates(10, 10));
    }

    private static SubmitReportRequest request() {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(UUID.randomUUID().toString()).setRuleCode("VOL_HOUR").setQuantity(2)
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID()).build();
    }

    /** A response about the request's participant, of a stored report's usual size. */
    private static Report answer(SubmitReportRequest request) {
        return Report.newBuilder().setReportId(UUID.randomUUID().toString())
                .setParticipantId(request.getParticipantId()).setRuleCode(request.getRuleCode())
                .setQuantity(request.getQuantity()).setEvidenceRef(request.getEvidenceRef()).build();
    }

    private String participantOf(String key) {
        return (String) em.createNativeQuery("SELECT participant_ref FROM idempotency_key WHERE scope = ?1"
                + " AND idem_key = ?2").setParameter(1, SCOPE).setParameter(2, key).getSingleResult();
    }

    /**
     * The backend's counts so far: they also hold earlier transactions' writes that it has not reported yet (which it
     * does only between transactions), so a transaction's own are the difference of two reads within it.
     */
    private Updates updatesSoFar() {
        Object[] row = (Object[]) em.createNativeQuery("""
                SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'idempotency_key'""")
                .getSingleResult();
        return new Updates(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }

    private Updates since(Updates before) {
        Updates now = updatesSoFar();
        return new Updates(now.updated() - before.updated(), now.inPlace() - before.inPlace());
    }
}
