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
 * A call's stored response can be written in place: the participant the request names is written with the key, before
 * the call runs, so that storing the response changes no indexed column and PostgreSQL can make it a HOT update (no
 * new index entries) whenever the row's page has room, alone and for a group's calls. Writing the participant with
 * the response made every such update add entries to the table's two indexes. Whether a page has room is PostgreSQL's
 * affair (the table's pages are filled completely), so this test checks what makes the update eligible: the
 * participant is there before the response, and storing the response does not change it.
 */
@QuarkusTest
class IdempotentParticipantWithKeyTest {

    private static final String SCOPE = "in-place-test/SubmitReport";

    @Inject
    IdempotentCalls idempotent;

    @Inject
    EntityManager em;

    @Test
    void aCallsParticipantIsWrittenWithItsKey() {
        SubmitReportRequest request = request();
        String whileRunning = QuarkusTransaction.requiringNew().call(() -> {
            String[] seen = new String[1];
            idempotent.once(SCOPE, request.getIdempotencyKey(), request, Report.parser(), () -> {
                seen[0] = participantOf(request.getIdempotencyKey());
                return answer(request);
            });
            return seen[0];
        });
        assertThat(whileRunning).as("written with the key, before the call ran").isEqualTo(request.getParticipantId());
        assertThat(participantOf(request.getIdempotencyKey())).isEqualTo(request.getParticipantId());
    }

    @Test
    void aParticipantNamedOnlyByTheResponseIsWrittenWithIt() {
        SubmitReportRequest request = request().toBuilder().clearParticipantId().build();
        String participant = UUID.randomUUID().toString();
        QuarkusTransaction.requiringNew().run(() -> idempotent.once(SCOPE, request.getIdempotencyKey(), request,
                Report.parser(), () -> {
                    assertThat(participantOf(request.getIdempotencyKey())).isNull();
                    return answer(request).toBuilder().setParticipantId(participant).build();
                }));
        assertThat(participantOf(request.getIdempotencyKey())).as("so that erasing them forgets the call")
                .isEqualTo(participant);
    }

    @Test
    void aGroupsParticipantsAreWrittenWithTheirKeys() {
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SubmitReportRequest request = request();
            claims.add(new Claim(SCOPE, request.getIdempotencyKey(), request));
        }
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(idempotent.claimAll(claims)).containsOnly(true);
            assertThat(claims).allSatisfy(c -> assertThat(participantOf(c.key()))
                    .as("written with the key").isEqualTo(((SubmitReportRequest) c.request()).getParticipantId()));
            idempotent.storeAll("SubmitReport", claims.stream().map(c -> new Answered(c, "agency:in-place-test",
                    answer((SubmitReportRequest) c.request()))).toList());
        });
        assertThat(claims).allSatisfy(c -> assertThat(participantOf(c.key()))
                .isEqualTo(((SubmitReportRequest) c.request()).getParticipantId()));
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
}
