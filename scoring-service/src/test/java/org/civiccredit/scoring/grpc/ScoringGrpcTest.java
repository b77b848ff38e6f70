package org.civiccredit.scoring.grpc;

import io.quarkus.grpc.GrpcClient;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.BeforeEach;

/**
 * What most scoring tests start from: this instance's gRPC stubs, the internal and score services called with
 * the service role (as reports-service and rewards-service call them), and a freshly published table of the
 * test rules ({@link ScoringFixtures#publishTestTable}), whose version reports name.
 */
public abstract class ScoringGrpcTest {

    @GrpcClient("self")
    protected ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    protected ScoreServiceBlockingStub scoreClient;

    @GrpcClient("self")
    protected RuleTableServiceBlockingStub ruleTables;

    /** ScoringInternalService as the service role. */
    protected ScoringInternalServiceBlockingStub internal;
    /** ScoreService as the service role. */
    protected ScoreServiceBlockingStub asService;
    /** The version of the test table published before each test. */
    protected long version;

    @BeforeEach
    void asTheServiceWithTheTestTable() {
        String serviceToken = DemoTokens.service();
        internal = BearerAuth.as(internalClient, serviceToken);
        asService = BearerAuth.as(scoreClient, serviceToken);
        version = ScoringFixtures.publishTestTable(ruleTables);
    }
}
