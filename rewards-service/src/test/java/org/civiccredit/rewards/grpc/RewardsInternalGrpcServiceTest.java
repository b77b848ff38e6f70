package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.EraseParticipantRequest;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.service.Participants;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The outbox relays register and erase participants; only the service role may. */
@QuarkusTest
class RewardsInternalGrpcServiceTest {

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    Participants participants;

    private static RegisterParticipantRequest register(String id, String subject) {
        return RegisterParticipantRequest.newBuilder().setIdempotencyKey("register-" + id).setParticipantId(id)
                .setKeycloakSubject(subject).build();
    }

    private static EraseParticipantRequest erase(String id) {
        return EraseParticipantRequest.newBuilder().setIdempotencyKey("erase-" + id).setParticipantId(id).build();
    }

    @Test
    void registrationIsIdempotentAndErasureIsFinal() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        String id = UUID.randomUUID().toString();
        String subject = "subject-" + UUID.randomUUID();
        service.registerParticipant(register(id, subject));
        service.registerParticipant(register(id, subject));
        assertThat(participants.active(id)).isTrue();

        assertThatThrownBy(() -> service.registerParticipant(register(id, "someone-else")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

        service.eraseParticipant(erase(id));
        service.eraseParticipant(erase(id));
        assertThat(participants.active(id)).isFalse();
        assertThatThrownBy(() -> service.registerParticipant(register(id, subject)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void reEnrolmentMovesTheSubjectToTheNewParticipantId() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        String subject = "subject-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        service.registerParticipant(register(first, subject));
        service.eraseParticipant(erase(first));
        service.registerParticipant(register(second, subject));
        assertThat(participants.active(second)).isTrue();
        assertThat(participants.active(first)).isFalse();
    }

    @Test
    void onlyTheServiceRoleMayRegister() {
        assertThatThrownBy(() -> BearerAuth.as(internal, DemoTokens.adminClient())
                .registerParticipant(register(UUID.randomUUID().toString(), "s")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
