package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.PublishOfferRequest;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.ReinstateMerchantRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RetireOfferRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.SuspendMerchantRequest;
import org.civiccredit.api.rewards.v1.VoidRedemptionRequest;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.PoolWarnings;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.grpc.AuditRows.Row;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.WalletSweeps;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Every kind of state change in rewards-service appends exactly one audit entry, in its own transaction, naming
 * the records it touched and never the participant; a replay, a redelivery or a repeated sweep appends none.
 * Covered: the merchant and offer calls, the redemption calls, the internal calls idempotent by report or
 * participant id, and the changes time makes (holds and lots expiring, lots becoming available, old redeem tokens
 * purged), whether the scheduled sweep or a call's own catch-up makes them.
 */
@QuarkusTest
class AuditCoverageGrpcServiceTest {

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    @Inject
    WalletSweeps sweeps;

    @Inject
    DataSource db;

    private AuditRows audit() {
        return new AuditRows(db);
    }

    @Test
    void merchantAndOfferCallsAreAuditedOncePerCall() {
        AuditRows audit = audit();
        TestMerchant[] shop = new TestMerchant[1];
        Row registered = audit.onlyEntryOf(() -> shop[0] = RewardsFixtures.newMerchant(merchants),
                "RegisterMerchant");
        String merchantId = shop[0].merchantId();
        assertThat(registered.refList()).contains("merchant_id=" + merchantId);
        assertThat(registered.actor()).startsWith("admin:");

        PublishOfferRequest publish = RewardsFixtures.offer(10, 5).build();
        Offer[] offer = new Offer[1];
        Row published = audit.onlyEntryOf(() -> offer[0] = BearerAuth.as(merchants, shop[0].token())
                .publishOffer(publish), "PublishOffer");
        assertThat(published.refList()).contains("offer_id=" + offer[0].getOfferId(), "merchant_id=" + merchantId);
        assertThat(published.actor()).isEqualTo("merchant:" + merchantId);
        audit.noEntryFrom(() -> BearerAuth.as(merchants, shop[0].token()).publishOffer(publish));

        RetireOfferRequest retire = RetireOfferRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOfferId(offer[0].getOfferId()).build();
        assertThat(audit.onlyEntryOf(() -> BearerAuth.as(merchants, shop[0].token()).retireOffer(retire),
                "RetireOffer").refList()).contains("offer_id=" + offer[0].getOfferId());
        audit.noEntryFrom(() -> BearerAuth.as(merchants, shop[0].token()).retireOffer(retire));

        SuspendMerchantRequest suspend = SuspendMerchantRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setMerchantId(merchantId).setReason("audit").build();
        assertThat(audit.onlyEntryOf(() -> BearerAuth.as(merchants, DemoTokens.adminClient()).suspendMerchant(suspend),
                "SuspendMerchant").refList()).contains("merchant_id=" + merchantId);
        audit.noEntryFrom(() -> BearerAuth.as(merchants, DemoTokens.adminClient()).suspendMerchant(suspend));
        ReinstateMerchantRequest reinstate = ReinstateMerchantRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setMerchantId(merchantId).build();
        assertThat(audit.onlyEntryOf(() -> BearerAuth.as(merchants, DemoTokens.adminClient())
                .reinstateMerchant(reinstate), "ReinstateMerchant").refList()).contains("merchant_id=" + merchantId);
        audit.noEntryFrom(() -> BearerAuth.as(merchants, DemoTokens.adminClient()).reinstateMerchant(reinstate));
    }

    @Test
    void internalCallsAreAuditedWhenTheyChangeSomethingAndNeverNameTheParticipant() {
        AuditRows audit = audit();
        long start = audit.last();
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        String participantId = UUID.randomUUID().toString();
        String subject = TestParticipants.create().userId();
        RegisterParticipantRequest register = RegisterParticipantRequest.newBuilder()
                .setIdempotencyKey("register-" + participantId).setParticipantId(participantId)
                .setKeycloakSubject(subject).build();
        Row registered = audit.onlyEntryOf(() -> service.registerParticipant(register), "RegisterParticipant");
        assertThat(registered.actor()).isEqualTo("service:reports-service");
        assertThat(registered.refs()).isEmpty();
        audit.noEntryFrom(() -> service.registerParticipant(register));

        String reportId = "report-" + UUID.randomUUID();
        AwardPointsRequest award = AwardPointsRequest.newBuilder().setIdempotencyKey("award-" + reportId)
                .setReportId(reportId).setParticipantId(participantId).setPoints(30).setRuleCode("LIBRARY_SHIFT")
                .setRuleTableVersion(1).build();
        AwardLot[] lot = new AwardLot[1];
        Row awarded = audit.onlyEntryOf(() -> lot[0] = service.awardPoints(award), "AwardPoints");
        assertThat(awarded.refList()).containsExactlyInAnyOrder("report_id=" + reportId,
                "lot_id=" + lot[0].getLotId());
        audit.noEntryFrom(() -> service.awardPoints(award.toBuilder().setIdempotencyKey("redelivered").build()));

        FreezeAwardRequest freeze = FreezeAwardRequest.newBuilder().setIdempotencyKey("freeze-" + reportId)
                .setReportId(reportId).build();
        assertThat(audit.onlyEntryOf(() -> service.freezeAward(freeze), "FreezeAward").refList())
                .contains("report_id=" + reportId, "lot_id=" + lot[0].getLotId());
        audit.noEntryFrom(() -> service.freezeAward(freeze));

        ReleaseAwardRequest release = ReleaseAwardRequest.newBuilder().setIdempotencyKey("release-" + reportId)
                .setReportId(reportId).build();
        audit.onlyEntryOf(() -> service.releaseAward(release), "ReleaseAward");
        audit.noEntryFrom(() -> service.releaseAward(release));

        ReverseAwardRequest reverse = ReverseAwardRequest.newBuilder().setIdempotencyKey("reverse-" + reportId)
                .setReportId(reportId).setReason("overturned on review").build();
        assertThat(audit.onlyEntryOf(() -> service.reverseAward(reverse), "ReverseAward").refList())
                .contains("report_id=" + reportId);
        audit.noEntryFrom(() -> service.reverseAward(reverse));

        EraseParticipantRequest erase = EraseParticipantRequest.newBuilder().setIdempotencyKey("erase-" + participantId)
                .setParticipantId(participantId).build();
        assertThat(audit.onlyEntryOf(() -> service.eraseParticipant(erase), "EraseParticipant").refs()).isEmpty();
        audit.noEntryFrom(() -> service.eraseParticipant(erase));

        String unknown = UUID.randomUUID().toString();
        audit.onlyEntryOf(() -> service.eraseParticipant(erase.toBuilder().setParticipantId(unknown).build()),
                "EraseParticipant");

        assertThat(audit.after(start)).allSatisfy(row -> assertThat(row.refs() + " " + row.actor())
                .doesNotContain(participantId).doesNotContain(subject).doesNotContain(unknown));
    }

    @Test
    void redemptionCallsAreAuditedOncePerKeyBesideWhatTheirCatchUpChanged() {
        AuditRows audit = audit();
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(20, 50));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String reportId = "report-" + UUID.randomUUID();
        // Awarded (directly, as test data) past its contest window, but not yet made available.
        wallets.award(reportId, pat.participantId(), 100, "LIBRARY_SHIFT", 1, Instant.now().minus(Duration.ofDays(15)));
        long start = audit.last();

        IssueRedeemTokenRequest issue = IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build();
        RedeemToken[] token = new RedeemToken[1];
        Row issued = audit.onlyEntryOf(() -> token[0] = BearerAuth.as(wallet, pat.token()).issueRedeemToken(issue),
                "IssueRedeemToken");
        assertThat(issued.actor()).isEqualTo("participant");
        audit.noEntryFrom(() -> BearerAuth.as(wallet, pat.token()).issueRedeemToken(issue));

        ReserveRedemptionRequest reserve = ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token[0].getToken())
                .setOfferId(offer.getOfferId()).build();
        Redemption[] held = new Redemption[1];
        List<Row> reserved;
        try (PoolWarnings pool = PoolWarnings.watch()) {
            reserved = audit.appendedBy(() -> held[0] = BearerAuth.as(redemption, cafe.token())
                    .reserveRedemption(reserve));
            // Its entries were appended while the transaction still held its connection, not after Hibernate had
            // released it for the commit.
            assertThat(pool.seen()).as("connection pool warnings").isEmpty();
        }
        // The reservation first caught the wallet up: the lot's contest window had passed, so it became available
        // (recorded when it happened, before the call's own entry).
        assertThat(reserved).extracting(Row::action).containsExactly("catch-up:lot-available", "ReserveRedemption");
        assertThat(reserved.get(1).refList()).contains("redemption_id=" + held[0].getRedemptionId(),
                "offer_id=" + offer.getOfferId(), "merchant_id=corner-cafe");
        assertThat(reserved.get(0).actor()).isEqualTo("system:wallet-catch-up");
        assertThat(reserved.get(0).refList()).contains("report_id=" + reportId);
        audit.noEntryFrom(() -> BearerAuth.as(redemption, cafe.token()).reserveRedemption(reserve));

        CaptureRedemptionRequest capture = CaptureRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held[0].getRedemptionId()).build();
        assertThat(audit.onlyEntryOf(() -> BearerAuth.as(redemption, cafe.token()).captureRedemption(capture),
                "CaptureRedemption").refList()).contains("redemption_id=" + held[0].getRedemptionId());
        audit.noEntryFrom(() -> BearerAuth.as(redemption, cafe.token()).captureRedemption(capture));

        String second = redemptions.issueToken(pat.id(), "", Instant.now()).token();
        Redemption toVoid = BearerAuth.as(redemption, cafe.token()).reserveRedemption(reserve.toBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(second).build());
        VoidRedemptionRequest voidIt = VoidRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(toVoid.getRedemptionId()).build();
        assertThat(audit.onlyEntryOf(() -> BearerAuth.as(redemption, cafe.token()).voidRedemption(voidIt),
                "VoidRedemption").refList()).contains("redemption_id=" + toVoid.getRedemptionId());
        audit.noEntryFrom(() -> BearerAuth.as(redemption, cafe.token()).voidRedemption(voidIt));

        assertThat(audit.after(start)).allSatisfy(row -> assertThat(row.refs() + " " + row.actor())
                .doesNotContain(pat.participantId()).doesNotContain(pat.subject()));
    }

    @Test
    void whatTimeChangesIsAuditedOnceByTheJobThatChangedIt() {
        AuditRows audit = audit();
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(20, 50));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        Instant now = Instant.now();
        String dueReport = "report-" + UUID.randomUUID();
        String oldReport = "report-" + UUID.randomUUID();
        wallets.award(dueReport, pat.participantId(), 40, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(15)));
        wallets.award(oldReport, pat.participantId(), 5, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(400)));

        List<Row> caughtUp = audit.appendedBy(() -> wallets.catchUpUnlessBusy(pat.id(), now));
        assertThat(caughtUp).extracting(Row::action).containsExactlyInAnyOrder("catch-up:lot-available",
                "catch-up:lot-expired");
        assertThat(caughtUp).allSatisfy(row -> assertThat(row.actor()).isEqualTo("system:wallet-sweep"));
        assertThat(caughtUp).filteredOn(row -> row.action().equals("catch-up:lot-expired"))
                .singleElement().satisfies(row -> assertThat(row.refList()).contains("report_id=" + oldReport)
                        .anySatisfy(ref -> assertThat(ref).startsWith("lot_id=")));
        audit.noEntryFrom(() -> wallets.catchUpUnlessBusy(pat.id(), now));

        String token = redemptions.issueToken(pat.id(), "", Instant.now()).token();
        Redemption held = BearerAuth.as(redemption, cafe.token()).reserveRedemption(ReserveRedemptionRequest
                .newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token)
                .setOfferId(offer.getOfferId()).build());
        Instant afterTtl = Instant.now().plus(Duration.ofMinutes(11));
        Row expired = audit.onlyEntryOf(() -> wallets.catchUpUnlessBusy(pat.id(), afterTtl), "catch-up:hold-expired");
        assertThat(expired.refList()).containsExactly("redemption_id=" + held.getRedemptionId(),
                "offer_id=" + offer.getOfferId());
        audit.noEntryFrom(() -> wallets.catchUp(pat.id(), afterTtl));
    }

    @Test
    void theSweepAuditsWhatItCatchesUpAndPurges() {
        AuditRows audit = audit();
        Enrolled pat = RewardsFixtures.enrolled(internal);
        Instant now = Instant.now();
        String reportId = "report-" + UUID.randomUUID();
        wallets.award(reportId, pat.participantId(), 40, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(15)));
        // A token that expired two days ago is past the retention of spent and expired tokens.
        redemptions.issueToken(pat.id(), "", now.minus(Duration.ofDays(2)));

        List<Row> swept = audit.appendedBy(() -> sweeps.sweep(now));
        assertThat(swept).filteredOn(row -> row.refs().contains("report_id=" + reportId)).singleElement()
                .satisfies(row -> {
                    assertThat(row.action()).isEqualTo("catch-up:lot-available");
                    assertThat(row.actor()).isEqualTo("system:wallet-sweep");
                });
        assertThat(swept).filteredOn(row -> row.action().equals("sweep:redeem-tokens-purged")).singleElement()
                .satisfies(row -> assertThat(row.actor()).isEqualTo("system:wallet-sweep"));
        assertThat(audit.appendedBy(() -> sweeps.sweep(now)))
                .noneMatch(row -> row.refs().contains(reportId) || row.action().equals("sweep:redeem-tokens-purged"));
    }
}
