package org.civiccredit.rewards.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.civiccredit.rewards.persistence.AwardLotEntity;

/** How many of a participant's lots are in each state, as committed (read in a transaction of its own). */
final class LotStates {

    private LotStates() {
    }

    static Map<String, Long> of(UUID participant) {
        Map<String, Long> byState = new TreeMap<>();
        QuarkusTransaction.requiringNew().run(() -> AwardLotEntity.<AwardLotEntity>list("participantId", participant)
                .forEach(lot -> byState.merge(lot.state, 1L, Long::sum)));
        return byState;
    }
}
