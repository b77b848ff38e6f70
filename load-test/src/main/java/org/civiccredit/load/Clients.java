package org.civiccredit.load;

import io.grpc.Channel;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.EchoServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.load.Targets.Service;

/**
 * The callers the scenarios play, each with its real Keycloak token: the demo agency greenway-volunteers,
 * the demo merchant corner-cafe, the admin client, and the services' own clients for the service-role calls
 * (reports-service's towards scoring, scoring-service's towards rewards, rewards-service's reading scores,
 * as the services themselves call each other). Every stub carries a deadline.
 */
public final class Clients {

    static final long DEADLINE_SECONDS = 30;

    private final Targets targets;
    private final RefreshingToken agency;
    private final RefreshingToken merchant;
    private final RefreshingToken admin;
    private final RefreshingToken reportsService;
    private final RefreshingToken scoringService;
    private final RefreshingToken rewardsService;

    public Clients(Keycloak keycloak, Targets targets, ScheduledExecutorService scheduler) {
        this.targets = targets;
        agency = keycloak.client("agency-greenway").keepFresh(scheduler);
        merchant = keycloak.client("merchant-corner-cafe").keepFresh(scheduler);
        admin = keycloak.client("civic-admin-cli").keepFresh(scheduler);
        reportsService = keycloak.client("reports-service").keepFresh(scheduler);
        scoringService = keycloak.client("scoring-service").keepFresh(scheduler);
        rewardsService = keycloak.client("rewards-service").keepFresh(scheduler);
    }

    /** The agency the intake scenario reports as. */
    public static final String AGENCY_ID = "greenway-volunteers";

    public EchoServiceGrpc.EchoServiceFutureStub echo(Service service) {
        return EchoServiceGrpc.newFutureStub(channel(service, agency)).withDeadlineAfter(DEADLINE_SECONDS,
                TimeUnit.SECONDS);
    }

    public ReportServiceGrpc.ReportServiceFutureStub reportsAsAgency() {
        return ReportServiceGrpc.newFutureStub(channel(Service.REPORTS, agency))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ScoreServiceGrpc.ScoreServiceFutureStub scoresAsService() {
        return ScoreServiceGrpc.newFutureStub(channel(Service.SCORING, rewardsService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ScoreServiceGrpc.ScoreServiceBlockingStub scoresAsServiceBlocking() {
        return ScoreServiceGrpc.newBlockingStub(channel(Service.SCORING, rewardsService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ScoringInternalServiceGrpc.ScoringInternalServiceFutureStub scoringInternal() {
        return ScoringInternalServiceGrpc.newFutureStub(channel(Service.SCORING, reportsService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub scoringInternalBlocking() {
        return ScoringInternalServiceGrpc.newBlockingStub(channel(Service.SCORING, reportsService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub rewardsInternal() {
        return RewardsInternalServiceGrpc.newBlockingStub(channel(Service.REWARDS, scoringService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public RewardsInternalServiceGrpc.RewardsInternalServiceFutureStub rewardsInternalFuture() {
        return RewardsInternalServiceGrpc.newFutureStub(channel(Service.REWARDS, scoringService))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public RuleTableServiceGrpc.RuleTableServiceBlockingStub ruleTablesAsAdmin() {
        return RuleTableServiceGrpc.newBlockingStub(channel(Service.SCORING, admin))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public LedgerServiceGrpc.LedgerServiceBlockingStub ledgerAsAdmin() {
        return LedgerServiceGrpc.newBlockingStub(channel(Service.REWARDS, admin))
                .withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    public MerchantServiceGrpc.MerchantServiceBlockingStub merchantsAsMerchant() {
        return MerchantServiceGrpc.newBlockingStub(channel(Service.REWARDS, merchant))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public RedemptionServiceGrpc.RedemptionServiceFutureStub redemptionsAsMerchant() {
        return RedemptionServiceGrpc.newFutureStub(channel(Service.REWARDS, merchant))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollmentAs(RefreshingToken participant) {
        return EnrollmentServiceGrpc.newBlockingStub(channel(Service.REPORTS, participant))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public WalletServiceGrpc.WalletServiceBlockingStub walletAs(RefreshingToken participant) {
        return WalletServiceGrpc.newBlockingStub(channel(Service.REWARDS, participant))
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private Channel channel(Service service, RefreshingToken token) {
        return targets.as(service, token);
    }
}
