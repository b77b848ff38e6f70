package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.EchoRequest;
import org.civiccredit.api.common.v1.EchoServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.AccessToken;

/** Each packaged service, started as its own process, answers health and reflection and checks tokens. */
@SystemUnderTest
class ServicesAnswerIT {

    private static final Map<String, List<String>> EXPECTED_SERVICES = Map.of(
            "reports", List.of("civiccredit.reports.v1.AgencyService", "civiccredit.reports.v1.EnrollmentService",
                    "civiccredit.reports.v1.ReportService", "civiccredit.reports.v1.ContestService",
                    "civiccredit.reports.v1.ParticipantDataService", "civiccredit.reports.v1.TransparencyService",
                    "civiccredit.common.v1.EchoService"),
            "scoring", List.of("civiccredit.scoring.v1.RuleTableService", "civiccredit.scoring.v1.ScoreService",
                    "civiccredit.scoring.v1.ScoringInternalService", "civiccredit.common.v1.EchoService"),
            "rewards", List.of("civiccredit.rewards.v1.MerchantService", "civiccredit.rewards.v1.WalletService",
                    "civiccredit.rewards.v1.RedemptionService", "civiccredit.rewards.v1.RewardsInternalService",
                    "civiccredit.rewards.v1.LedgerService", "civiccredit.common.v1.EchoService"));

    private static RunningSystem system;
    private static Map<String, ManagedChannel> channels;

    @BeforeAll
    static void connect(RunningSystem running) {
        system = running;
        channels = Map.of(
                "reports", channel(running.service("reports")),
                "scoring", channel(running.service("scoring")),
                "rewards", channel(running.service("rewards")));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyServiceIsServingOnTheStandardGrpcHealthServiceWithoutAToken() {
        for (String name : EXPECTED_SERVICES.keySet()) {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(channels.get(name))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            assertThat(health.getStatus()).as(name).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void everyServiceReportsUpOnHttpHealth() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (RunningSystem.Service s : system.services()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + s.target() + "/q/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(s.name()).isEqualTo(200);
            assertThat(r.body()).as(s.name()).contains("\"status\": \"UP\"");
        }
    }

    @Test
    void reflectionListsEachServicesV1ContractAndTheHealthService() throws Exception {
        for (Map.Entry<String, List<String>> e : EXPECTED_SERVICES.entrySet()) {
            List<String> listed = listServices(channels.get(e.getKey()));
            assertThat(listed).as(e.getKey()).containsAll(e.getValue()).contains("grpc.health.v1.Health");
        }
    }

    @Test
    void aRealTokenIsAcceptedAndNoTokenIsRefusedByEveryService() {
        String token = Keycloak.clientToken("agency-greenway");
        AccessToken claims = Keycloak.claims(token);
        assertThat(claims.getIssuer()).isEqualTo(Keycloak.ISSUER);
        assertThat(claims.getRealmAccess().getRoles()).contains("agency");
        assertThat(claims.getOtherClaims()).containsEntry("agency_id", "greenway-volunteers");

        for (String name : EXPECTED_SERVICES.keySet()) {
            EchoServiceGrpc.EchoServiceBlockingStub echo = EchoServiceGrpc.newBlockingStub(channels.get(name))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> echo.echo(EchoRequest.newBuilder().setPayload(com.google.protobuf.ByteString.copyFromUtf8("hi")).build()))
                    .as(name).isInstanceOfSatisfying(StatusRuntimeException.class,
                            ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            String answer = echo.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .echo(EchoRequest.newBuilder().setPayload(com.google.protobuf.ByteString.copyFromUtf8("hello " + name)).build()).getPayload().toStringUtf8();
            assertThat(answer).as(name).isEqualTo("hello " + name);
        }
    }

    private static List<String> listServices(ManagedChannel channel) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("no reflection answer"));
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        ServerReflectionResponse response = answer.get(10, TimeUnit.SECONDS);
        requests.onCompleted();
        return response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
    }

    private static ManagedChannel channel(RunningSystem.Service s) {
        return ManagedChannelBuilder.forTarget(s.target()).usePlaintext().build();
    }
}
