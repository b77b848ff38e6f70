package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollResponse;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentState;
import org.civiccredit.api.reports.v1.GetConsentTextRequest;
import org.civiccredit.api.reports.v1.GetMyEnrollmentRequest;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.reports.v1.WithdrawResponse;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.junit.jupiter.api.Test;

/** Participants enrol themselves with consent and withdraw; the other services are told through the outbox. */
@QuarkusTest
class EnrollmentGrpcServiceTest {

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @Inject
    EntityManager em;

    private static EnrollRequest enroll(long consentVersion) {
        return EnrollRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setConsentVersion(consentVersion).build();
    }

    @Test
    void aParticipantEnrolsThemselvesOnceAndTheOtherServicesAreToldToRegisterThem() {
        TestParticipants.TestUser person = TestParticipants.create();
        EnrollmentServiceBlockingStub me = BearerAuth.as(enrollment, person.token());
        long consent = me.getConsentText(GetConsentTextRequest.getDefaultInstance()).getVersion();

        EnrollResponse first = me.enroll(enroll(consent));
        assertThat(first.getCreated()).isTrue();
        assertThat(first.getEnrollment().getKeycloakSubject()).isEqualTo(person.userId());
        EnrollResponse again = me.enroll(enroll(consent));
        assertThat(again.getCreated()).isFalse();
        assertThat(again.getEnrollment().getParticipantId()).isEqualTo(first.getEnrollment().getParticipantId());
        assertThat(me.getMyEnrollment(GetMyEnrollmentRequest.getDefaultInstance()).getState())
                .isEqualTo(EnrollmentState.ENROLLMENT_STATE_ENROLLED);

        assertThat(outboxKinds(first.getEnrollment().getParticipantId()))
                .containsExactlyInAnyOrder("SCORING_REGISTER_PARTICIPANT", "REWARDS_REGISTER_PARTICIPANT");
    }

    @Test
    void anOutdatedConsentIsRefusedAndNothingIsStored() {
        TestParticipants.TestUser person = TestParticipants.create();
        EnrollmentServiceBlockingStub me = BearerAuth.as(enrollment, person.token());
        assertThatThrownBy(() -> me.enroll(enroll(999))).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThatThrownBy(() -> me.getMyEnrollment(GetMyEnrollmentRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void nobodyButAParticipantCanEnrolAndThereIsNoWayToNameSomeoneElse() {
        assertThatThrownBy(() -> BearerAuth.as(enrollment, DemoTokens.agencyGreenway()).enroll(enroll(1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThat(EnrollRequest.getDescriptor().getFields()).extracting(f -> f.getName())
                .containsExactlyInAnyOrder("idempotency_key", "consent_version");
    }

    @Test
    void withdrawalErasesTheLinkToThePersonTellsTheOtherServicesAndIsHarmlessTwice() {
        TestParticipants.TestUser person = TestParticipants.create();
        EnrollmentServiceBlockingStub me = BearerAuth.as(enrollment, person.token());
        String participantId = me.enroll(enroll(1)).getEnrollment().getParticipantId();

        WithdrawResponse withdrawn = me.withdraw(WithdrawRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build());
        assertThat(withdrawn.getWasEnrolled()).isTrue();
        WithdrawResponse twice = me.withdraw(WithdrawRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build());
        assertThat(twice.getWasEnrolled()).isFalse();

        assertThat(em.createNativeQuery("SELECT subject FROM participant WHERE participant_id = ?1")
                .setParameter(1, UUID.fromString(participantId)).getSingleResult()).isNull();
        assertThat(outboxKinds(participantId)).contains("SCORING_ERASE_PARTICIPANT", "REWARDS_ERASE_PARTICIPANT");
        assertThatThrownBy(() -> me.getMyEnrollment(GetMyEnrollmentRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

        String reEnrolled = me.enroll(enroll(1)).getEnrollment().getParticipantId();
        assertThat(reEnrolled).isNotEqualTo(participantId);
    }

    @Inject
    AgroalDataSource dataSource;

    /**
     * A relay pass marks a stream's rows one call at a time, while a withdrawal closes all of them at once; had the
     * withdrawal not waited for the pass, the two could take the rows in opposite orders and deadlock (seen in this
     * suite once the pass marked a call's rows together). Here a pass holds the participant's rewards stream: the
     * withdrawal waits until it ends, and then completes.
     */
    @Test
    void aWithdrawalWaitsForARelayPassThatHoldsTheParticipantsStream() throws Exception {
        TestParticipants.TestUser person = TestParticipants.create();
        EnrollmentServiceBlockingStub me = BearerAuth.as(enrollment, person.token());
        String participantId = me.enroll(enroll(1)).getEnrollment().getParticipantId();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Connection pass = dataSource.getConnection()) {
            pass.setAutoCommit(false);
            try (PreparedStatement lock = pass.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "rewards/" + participantId);
                try (ResultSet held = lock.executeQuery()) {
                    assertThat(held.next() && held.getBoolean(1)).as("the pass holds the stream").isTrue();
                }
            }
            Future<WithdrawResponse> withdrawal = caller.submit(() -> me.withdraw(WithdrawRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).build()));
            assertThatThrownBy(() -> withdrawal.get(2, TimeUnit.SECONDS)).as("waits while the pass runs")
                    .isInstanceOf(TimeoutException.class);
            pass.commit();
            assertThat(withdrawal.get(30, TimeUnit.SECONDS).getWasEnrolled()).isTrue();
        } finally {
            caller.shutdownNow();
        }
        assertThat(outboxKinds(participantId)).contains("REWARDS_ERASE_PARTICIPANT");
    }

    @GrpcClient("self")
    org.civiccredit.api.reports.v1.ParticipantDataServiceGrpc.ParticipantDataServiceBlockingStub data;

    @Test
    void anExportIsNeverPartialAndNeedsAnEnrolment() {
        TestParticipants.TestUser person = TestParticipants.create();
        var export = BearerAuth.as(data, person.token());
        var request = org.civiccredit.api.reports.v1.ExportMyDataRequest.getDefaultInstance();
        assertThatThrownBy(() -> export.exportMyData(request)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        BearerAuth.as(enrollment, person.token()).enroll(enroll(1));
        // scoring-service and rewards-service are not reachable from these tests: no partial export.
        assertThatThrownBy(() -> export.exportMyData(request)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @SuppressWarnings("unchecked")
    private List<String> outboxKinds(String participantId) {
        return em.createNativeQuery("SELECT kind FROM outbox WHERE stream = ?1 ORDER BY id")
                .setParameter(1, participantId).getResultList();
    }
}
