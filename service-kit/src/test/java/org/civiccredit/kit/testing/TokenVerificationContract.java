package org.civiccredit.kit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.keycloak.client.KeycloakTestClient;
import jakarta.inject.Inject;
import java.util.function.Consumer;
import java.util.Arrays;
import org.civiccredit.kit.identity.HeldTokenMechanism;
import org.civiccredit.kit.identity.VerifiedTokens;
import org.junit.jupiter.api.Test;

/**
 * What every Civic Credit service must do with bearer tokens, run against the real Keycloak: a valid token is
 * accepted; no token, a forged or tampered one, an unsigned one or one from another realm is refused with
 * UNAUTHENTICATED on every RPC the service serves; a valid token without the required role gets
 * PERMISSION_DENIED. A token verified once is reused without verifying it again ({@link VerifiedTokens}), and
 * that changes none of this. Each service's test extends this with its own channel, services and restricted call.
 */
public abstract class TokenVerificationContract {

    @Inject
    VerifiedTokens verifiedTokens;

    @Inject
    HeldTokenMechanism heldTokenMechanism;

    /** A channel to the service under test. */
    protected abstract Channel channel();

    /** Every gRPC service the service serves under its v1 contract, EchoService included. */
    protected abstract ServiceDescriptor[] services();

    /** A role-restricted call made with {@code token}; it must succeed for {@link #permittedToken()}. */
    protected abstract void restrictedCall(String token);

    /** A token whose role allows {@link #restrictedCall}. */
    protected abstract String permittedToken();

    /** A valid token whose roles do not allow {@link #restrictedCall}. */
    protected abstract String wrongRoleToken();

    @Test
    void aValidTokenIsAcceptedForTheBareRoundTrip() {
        echo(DemoTokens.participantPat());
    }

    @Test
    void aTokenVerifiedOnceIsReusedForTheCallsAfterIt() {
        String token = DemoTokens.participantPat();
        echo(token);
        assertThat(verifiedTokens.holds(token)).as("held after its first call").isTrue();
        long before = verifiedTokens.reuses();
        for (int i = 0; i < 3; i++) {
            echo(token);
        }
        assertThat(verifiedTokens.reuses() - before).isGreaterThanOrEqualTo(3);
    }

    /**
     * A held token's calls are answered by {@link HeldTokenMechanism}, before Quarkus OIDC's mechanism parses the token
     * again, and still reach the role check: the permitted token makes the restricted call and the other is refused.
     */
    @Test
    void aHeldTokensCallsAreAnsweredBeforeOidcParsesTheTokenAndStillCheckRoles() {
        String permitted = permittedToken();
        String wrongRole = wrongRoleToken();
        restrictedCall(permitted);
        assertStatus(Status.Code.PERMISSION_DENIED, v -> restrictedCall(wrongRole));
        assertThat(verifiedTokens.holds(permitted) && verifiedTokens.holds(wrongRole)).as("both held").isTrue();
        long verifications = verifiedTokens.verifications();
        long answered = heldTokenMechanism.answered();
        for (int i = 0; i < 3; i++) {
            restrictedCall(permitted);
            assertStatus(Status.Code.PERMISSION_DENIED, v -> restrictedCall(wrongRole));
            echo(permitted);
        }
        assertThat(heldTokenMechanism.answered() - answered).isGreaterThanOrEqualTo(9);
        assertThat(verifiedTokens.verifications()).as("none verified again").isEqualTo(verifications);
    }

    /**
     * The identity a verified token gives carries Quarkus OIDC's principal, from whose claim set {@code Caller} reads
     * partner claims directly (CallerTest); with any other principal it would take smallrye-jwt's slow path.
     */
    @Test
    void aVerifiedTokensPrincipalIsTheOneCallerReadsClaimsFrom() {
        String token = permittedToken();
        restrictedCall(token);
        assertThat(verifiedTokens.reuse(token, null, null).orElseThrow().getPrincipal())
                .isInstanceOf(io.quarkus.oidc.runtime.OidcJwtCallerPrincipal.class);
    }

    @Test
    void aReusedTokenWithoutTheRoleIsStillPermissionDenied() {
        String token = wrongRoleToken();
        for (int i = 0; i < 3; i++) {
            assertStatus(Status.Code.PERMISSION_DENIED, v -> restrictedCall(token));
        }
        assertThat(verifiedTokens.holds(token)).as("held, so the later calls reused it").isTrue();
    }

    @Test
    void forgedCopiesOfAHeldTokenAreRefused() {
        String token = permittedToken();
        restrictedCall(token);
        assertThat(verifiedTokens.holds(token)).isTrue();
        refusedEverywhere(ForgedTokens.resignedWithForeignKey(token));
        refusedEverywhere(ForgedTokens.withTamperedClaims(token));
        refusedEverywhere(ForgedTokens.unsigned(token));
    }

    /** The bare round trip with {@code token}. */
    private void echo(String token) {
        // EchoRequest{payload: "ping"} in wire format; EchoResponse has the same shape.
        byte[] request = {0x0a, 0x04, 'p', 'i', 'n', 'g'};
        MethodDescriptor<?, ?> echo = Arrays.stream(services())
                .filter(s -> s.getName().equals("civiccredit.common.v1.EchoService"))
                .flatMap(s -> s.getMethods().stream()).findFirst()
                .orElseThrow(() -> new AssertionError("the service does not declare EchoService"));
        assertThat(EveryRpc.callRaw(channel(), BearerAuth.headers(token), echo, request)).isEqualTo(request);
    }

    /**
     * A call starts its request context itself: nothing in front of the gRPC server (an HTTP filter, say) may have
     * activated one already, which Quarkus reports with a warning on every call and which costs every call.
     */
    @Test
    void aCallStartsWithoutARequestContextLeftActiveByAFilter() {
        java.util.logging.Logger grpcContext = java.util.logging.Logger.getLogger(
                "io.quarkus.grpc.runtime.supports.context.GrpcRequestContextGrpcInterceptor");
        java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        grpcContext.addHandler(capture);
        try {
            aValidTokenIsAcceptedForTheBareRoundTrip();
            restrictedCall(permittedToken());
        } finally {
            grpcContext.removeHandler(capture);
        }
        assertThat(warnings).as("warnings of the gRPC request-context interceptor")
                .noneMatch(w -> w.contains("already active"));
    }

    @Test
    void aValidTokenWithTheRightRoleMakesTheRestrictedCall() {
        restrictedCall(permittedToken());
    }

    @Test
    void aValidTokenWithoutTheRoleIsPermissionDenied() {
        assertThatThrownBy(() -> restrictedCall(wrongRoleToken()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void everyRpcRefusesACallWithoutAToken() {
        EveryRpc.answer(Status.Code.UNAUTHENTICATED, channel(), new Metadata(), services());
    }

    @Test
    void everyRpcRefusesATokenSignedWithAForeignKey() {
        refusedEverywhere(ForgedTokens.resignedWithForeignKey(permittedToken()));
    }

    @Test
    void everyRpcRefusesATokenWhoseClaimsWereEdited() {
        refusedEverywhere(ForgedTokens.withTamperedClaims(wrongRoleToken()));
    }

    @Test
    void everyRpcRefusesAnUnsignedToken() {
        refusedEverywhere(ForgedTokens.unsigned(permittedToken()));
    }

    @Test
    void everyRpcRefusesATokenFromAnotherRealm() {
        refusedEverywhere(new KeycloakTestClient().getAdminAccessToken());
    }

    @Test
    void garbageAndBasicCredentialsAreUnauthenticated() {
        for (String header : new String[] {"Bearer not-a-jwt", "Basic YWRtaW46YWRtaW4=", "Bearer "}) {
            Metadata headers = new Metadata();
            headers.put(BearerAuth.AUTHORIZATION, header);
            EveryRpc.answer(Status.Code.UNAUTHENTICATED, channel(), headers, services());
        }
    }

    private void refusedEverywhere(String token) {
        EveryRpc.answer(Status.Code.UNAUTHENTICATED, channel(), BearerAuth.headers(token), services());
    }

    /** Asserts that {@code call} fails with {@code code}. */
    protected static void assertStatus(Status.Code code, Consumer<Void> call) {
        assertThatThrownBy(() -> call.accept(null)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }
}
