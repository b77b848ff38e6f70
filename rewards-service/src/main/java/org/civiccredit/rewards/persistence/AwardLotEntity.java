package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.LotState;

/** Row of table {@code award_lot}. */
@Entity
@Table(name = "award_lot")
public class AwardLotEntity extends PanacheEntityBase {

    @Id
    @Column(name = "lot_id")
    public UUID lotId;

    @Column(name = "participant_id", nullable = false)
    public UUID participantId;

    @Column(name = "report_id", nullable = false)
    public String reportId;

    @Column(nullable = false)
    public long amount;

    @Column(nullable = false)
    public long remaining;

    @Column(nullable = false)
    public long spent;

    @Column(nullable = false)
    public long expired;

    @Column(name = "clawed_back", nullable = false)
    public long clawedBack;

    @Column(name = "clawback_shortfall", nullable = false)
    public long clawbackShortfall;

    @Column(nullable = false)
    public String state;

    @Column(nullable = false)
    public boolean frozen;

    @Column(name = "awarded_at", nullable = false)
    public Instant awardedAt;

    @Column(name = "available_from", nullable = false)
    public Instant availableFrom;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "rule_code", nullable = false)
    public String ruleCode;

    @Column(name = "rule_table_version", nullable = false)
    public long ruleTableVersion;

    public AwardLot toDomain() {
        return new AwardLot(lotId, reportId, amount, remaining, spent, expired, clawedBack, clawbackShortfall,
                LotState.valueOf(state), frozen, awardedAt, availableFrom, expiresAt, ruleCode, ruleTableVersion);
    }

    /** A row for a lot the domain created. */
    public static AwardLotEntity of(UUID participantId, AwardLot lot) {
        AwardLotEntity e = new AwardLotEntity();
        e.lotId = lot.lotId();
        e.participantId = participantId;
        e.reportId = lot.reportId();
        e.amount = lot.amount();
        e.awardedAt = lot.awardedAt();
        e.availableFrom = lot.availableFrom();
        e.expiresAt = lot.expiresAt();
        e.ruleCode = lot.ruleCode();
        e.ruleTableVersion = lot.ruleTableVersion();
        e.copyFrom(lot);
        return e;
    }

    /** Takes over what the domain may change. */
    public void copyFrom(AwardLot lot) {
        remaining = lot.remaining();
        spent = lot.spent();
        expired = lot.expired();
        clawedBack = lot.clawedBack();
        clawbackShortfall = lot.clawbackShortfall();
        state = lot.state().name();
        frozen = lot.frozen();
    }
}
