package org.civiccredit.rewards.api;

import java.time.Duration;
import java.time.Instant;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.rewards.v1.AccountKind;
import org.civiccredit.api.rewards.v1.AccountKindTotal;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.DiscrepancyKind;
import org.civiccredit.api.rewards.v1.LedgerDiscrepancy;
import org.civiccredit.api.rewards.v1.LimitPeriod;
import org.civiccredit.api.rewards.v1.LotState;
import org.civiccredit.api.rewards.v1.MovementReason;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.OfferState;
import org.civiccredit.api.rewards.v1.PointTotals;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionState;
import org.civiccredit.api.rewards.v1.RewardsDataExport;
import org.civiccredit.api.rewards.v1.SettlementStatement;
import org.civiccredit.api.rewards.v1.VerifyLedgerResponse;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletMovement;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.rewards.domain.IssuedToken;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.domain.Movement;
import org.civiccredit.rewards.domain.ParticipantExport;
import org.civiccredit.rewards.domain.WalletView;

/** Maps the wallet, offer, redemption and ledger domain to the rewards v1 protobuf messages and back. */
public final class RewardsMapping {

    private RewardsMapping() {
    }

    public static AwardLot lot(org.civiccredit.rewards.domain.AwardLot l) {
        return AwardLot.newBuilder()
                .setLotId(l.lotId().toString())
                .setReportId(l.reportId())
                .setAmount(l.amount())
                .setRemaining(l.remaining())
                .setState(LotState.valueOf("LOT_STATE_" + l.state().name()))
                .setAvailableFrom(ProtoTime.timestamp(l.availableFrom()))
                .setExpiresAt(ProtoTime.timestamp(l.expiresAt()))
                .setAwardedAt(ProtoTime.timestamp(l.awardedAt()))
                .setFrozen(l.frozen())
                .setRuleCode(l.ruleCode())
                .setRuleTableVersion(l.ruleTableVersion())
                .setClawedBack(l.clawedBack())
                .setClawbackShortfall(l.clawbackShortfall())
                .build();
    }

    public static AccountKind kind(org.civiccredit.rewards.domain.AccountKind kind) {
        return AccountKind.valueOf("ACCOUNT_KIND_" + kind.name());
    }

    public static WalletMovement movement(Movement m) {
        return WalletMovement.newBuilder()
                .setMovementId(m.movementId().toString())
                .setReason(MovementReason.valueOf("MOVEMENT_REASON_" + m.reason().name()))
                .setAmount(m.amount())
                .setFromAccount(kind(m.from()))
                .setToAccount(kind(m.to()))
                .setReference(m.reference())
                .setOccurredAt(ProtoTime.timestamp(m.occurredAt()))
                .build();
    }

    public static Wallet wallet(WalletView w) {
        Wallet.Builder b = Wallet.newBuilder()
                .setParticipantId(w.participantId().toString())
                .setAvailable(w.available())
                .setPending(w.pending())
                .setHeld(w.held())
                .setAsOf(ProtoTime.timestamp(w.asOf()));
        w.lots().forEach(l -> b.addLots(lot(l)));
        w.movements().forEach(m -> b.addRecentMovements(movement(m)));
        return b.build();
    }

    public static RedeemToken token(IssuedToken t) {
        return RedeemToken.newBuilder()
                .setToken(t.token())
                .setExpiresAt(ProtoTime.timestamp(t.expiresAt()))
                .setOfferId(t.offerId() == null ? "" : t.offerId().toString())
                .build();
    }

    public static Offer offer(org.civiccredit.rewards.domain.Offer o) {
        Offer.Builder b = Offer.newBuilder()
                .setOfferId(o.offerId().toString())
                .setMerchantId(o.merchantId())
                .setMerchantDisplayName(o.merchantDisplayName())
                .setTitle(o.title())
                .setDescription(o.description())
                .setPointsCost(o.pointsCost())
                .setMinimumTierName(o.minimumTierName())
                .setStock(o.stock())
                .setStockRemaining(o.stockRemaining())
                .setLimitPerParticipant(o.limitPerParticipant())
                .setLimitPeriod(o.limitPeriod() == null ? LimitPeriod.LIMIT_PERIOD_UNSPECIFIED
                        : LimitPeriod.valueOf("LIMIT_PERIOD_" + o.limitPeriod().name()))
                .setState(o.retired() ? OfferState.OFFER_STATE_RETIRED : OfferState.OFFER_STATE_ACTIVE)
                .setPublishedAt(ProtoTime.timestamp(o.publishedAt()));
        if (o.retiredAt() != null) {
            b.setRetiredAt(ProtoTime.timestamp(o.retiredAt()));
        }
        return b.build();
    }

    /** The domain limit period of a request; null when unspecified (or not a known value). */
    public static org.civiccredit.rewards.domain.LimitPeriod limitPeriod(LimitPeriod p) {
        return switch (p) {
            case LIMIT_PERIOD_DAY -> org.civiccredit.rewards.domain.LimitPeriod.DAY;
            case LIMIT_PERIOD_WEEK -> org.civiccredit.rewards.domain.LimitPeriod.WEEK;
            case LIMIT_PERIOD_MONTH -> org.civiccredit.rewards.domain.LimitPeriod.MONTH;
            case LIMIT_PERIOD_YEAR -> org.civiccredit.rewards.domain.LimitPeriod.YEAR;
            case LIMIT_PERIOD_LIFETIME -> org.civiccredit.rewards.domain.LimitPeriod.LIFETIME;
            default -> null;
        };
    }

    public static Redemption redemption(org.civiccredit.rewards.domain.Redemption r) {
        Redemption.Builder b = Redemption.newBuilder()
                .setRedemptionId(r.redemptionId().toString())
                .setOfferId(r.offerId().toString())
                .setPointsHeld(r.pointsHeld())
                .setState(RedemptionState.valueOf("REDEMPTION_STATE_" + r.state().name()))
                .setHoldExpiresAt(ProtoTime.timestamp(r.holdExpiresAt()))
                .setPointsCaptured(r.pointsCaptured())
                .setPointsReleased(r.pointsReleased())
                .setReservedAt(ProtoTime.timestamp(r.reservedAt()))
                .setMerchantId(r.merchantId())
                .setOfferTitle(r.offerTitle());
        if (r.settledAt() != null) {
            b.setSettledAt(ProtoTime.timestamp(r.settledAt()));
        }
        return b.build();
    }

    /** The domain state of a filter value; null when unspecified or unknown. */
    public static org.civiccredit.rewards.domain.RedemptionState redemptionState(RedemptionState s) {
        return switch (s) {
            case REDEMPTION_STATE_HELD -> org.civiccredit.rewards.domain.RedemptionState.HELD;
            case REDEMPTION_STATE_CAPTURED -> org.civiccredit.rewards.domain.RedemptionState.CAPTURED;
            case REDEMPTION_STATE_VOIDED -> org.civiccredit.rewards.domain.RedemptionState.VOIDED;
            case REDEMPTION_STATE_EXPIRED -> org.civiccredit.rewards.domain.RedemptionState.EXPIRED;
            default -> null;
        };
    }

    public static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStart(ProtoTime.timestamp(start)).setEnd(ProtoTime.timestamp(end)).build();
    }

    public static SettlementStatement statement(org.civiccredit.rewards.domain.SettlementStatement s) {
        return SettlementStatement.newBuilder()
                .setMerchantId(s.merchantId())
                .setPeriod(range(s.start(), s.end()))
                .setPointsCaptured(s.pointsCaptured())
                .setPointsVoided(s.pointsVoided())
                .setCapturedCount(s.capturedCount())
                .setVoidedCount(s.voidedCount())
                .setExpiredCount(s.expiredCount())
                .setGeneratedAt(ProtoTime.timestamp(s.generatedAt()))
                .build();
    }

    public static PointTotals totals(org.civiccredit.rewards.domain.PointTotals t) {
        return PointTotals.newBuilder()
                .setPeriod(range(t.start(), t.end()))
                .setIssued(t.issued())
                .setRedeemed(t.redeemed())
                .setExpired(t.expired())
                .setClawedBack(t.clawedBack())
                .setClawbackShortfall(t.clawbackShortfall())
                .setForfeited(t.forfeited())
                .build();
    }

    public static VerifyLedgerResponse verification(LedgerCheck check) {
        VerifyLedgerResponse.Builder b = VerifyLedgerResponse.newBuilder()
                .setBalanced(check.balanced())
                .setEntriesChecked(check.entriesChecked())
                .setVerifiedAt(ProtoTime.timestamp(check.verifiedAt()));
        check.totals().forEach(t -> b.addTotals(AccountKindTotal.newBuilder().setKind(kind(t.kind()))
                .setDebits(t.debits()).setCredits(t.credits()).setBalance(t.balance())));
        check.firstDiscrepancy().ifPresent(d -> {
            LedgerDiscrepancy.Builder db = LedgerDiscrepancy.newBuilder()
                    .setKind(DiscrepancyKind.valueOf("DISCREPANCY_KIND_" + d.kind().name()))
                    .setMovementId(d.movementId())
                    .setAccountOwnerId(d.ownerId())
                    .setDescription(d.description());
            if (d.accountKind() != null) {
                db.setAccountKind(kind(d.accountKind()));
            }
            b.setFirstDiscrepancy(db);
        });
        if (!check.balanced() && check.firstDiscrepancy().isEmpty()) {
            b.setFirstDiscrepancy(LedgerDiscrepancy.newBuilder()
                    .setKind(DiscrepancyKind.DISCREPANCY_KIND_UNBALANCED_MOVEMENT)
                    .setDescription("the entries of all accounts do not sum to zero"));
        }
        return b.build();
    }

    public static RewardsDataExport export(ParticipantExport e) {
        RewardsDataExport.Builder b = RewardsDataExport.newBuilder()
                .setWallet(wallet(e.wallet()))
                .setKeycloakSubject(e.subject())
                .setRegisteredAt(ProtoTime.timestamp(e.registeredAt()));
        e.movements().forEach(m -> b.addMovements(movement(m)));
        e.redemptions().forEach(r -> b.addRedemptions(redemption(r)));
        e.openTokensExpireAt().forEach(t -> b.addOpenRedeemTokensExpireAt(ProtoTime.timestamp(t)));
        return b.build();
    }

    /**
     * A required period with both bounds, end not before start and at most {@code max} long (null: any length),
     * on field "period".
     */
    public static Instant[] requiredPeriod(boolean present, TimeRange period, Duration max, Violations v) {
        if (!present || !period.hasStart() || !period.hasEnd()) {
            v.add("period", "required, with both start and end");
            return null;
        }
        Instant start = ProtoTime.instant(period.getStart(), "period.start", v);
        Instant end = ProtoTime.instant(period.getEnd(), "period.end", v);
        if (start == null || end == null) {
            return null;
        }
        if (end.isBefore(start)) {
            v.add("period", "end is before start");
            return null;
        }
        if (max != null && Duration.between(start, end).compareTo(max) > 0) {
            v.add("period", "at most " + max + " long");
            return null;
        }
        return new Instant[] {start, end};
    }
}
