package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.rewards.persistence.ParticipantEntity;
import org.civiccredit.rewards.persistence.TierEntity;

/**
 * The local copy of score tiers that tier-gated offers are checked against: the current rule table's tiers
 * and each participant's current tier. scoring-service is to feed both (through its outbox; not wired yet),
 * so until then nobody has a tier, no tier is known, and tier-gated offers cannot be published.
 */
@ApplicationScoped
public class Tiers {

    /** Replaces the known tiers with those of a newly published rule table (name → threshold). */
    @Transactional
    public void replace(Map<String, Long> thresholds) {
        TierEntity.deleteAll();
        thresholds.forEach((name, threshold) -> {
            TierEntity t = new TierEntity();
            t.name = name;
            t.threshold = threshold;
            t.persist();
        });
    }

    /** Records a participant's current tier; null for none. */
    @Transactional
    public void assign(UUID participantId, String tierName) {
        ParticipantEntity p = ParticipantEntity.findById(participantId);
        if (p == null || p.erasedAt != null) {
            throw Refusal.notFound("no participant " + participantId);
        }
        p.tierName = tierName;
    }

    /** Whether {@code name} is a tier of the current rule table. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean known(String name) {
        return TierEntity.findByIdOptional(name).isPresent();
    }

    /** The threshold of a tier; empty when the name is null or not a current tier. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public OptionalLong threshold(String name) {
        if (name == null) {
            return OptionalLong.empty();
        }
        return TierEntity.<TierEntity>findByIdOptional(name).map(t -> OptionalLong.of(t.threshold))
                .orElse(OptionalLong.empty());
    }
}
