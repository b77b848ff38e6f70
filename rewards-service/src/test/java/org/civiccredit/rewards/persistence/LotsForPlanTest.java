package org.civiccredit.rewards.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * The lots a wallet change loads ({@link WalletStore#LOTS_FOR}, twice per Reserve + Capture) are read by a statement
 * that PostgreSQL plans once per connection: after its first five executions, which the server always plans for
 * their parameters, it keeps the generic plan. The earlier {@code IN (subquery)} form was planned again on every
 * execution, since its generic plan looked far dearer than the custom ones.
 */
@QuarkusTest
class LotsForPlanTest {

    private static final int EXECUTIONS = 16;

    @Inject
    Participants participants;

    @Inject
    Wallets wallets;

    @Inject
    DataSource db;

    @Test
    void theLotsAWalletChangeLoadsArePlannedOnceNotOnEveryExecution() throws Exception {
        UUID payer = UUID.randomUUID();
        participants.register(payer.toString(), "lots-plan-" + payer);
        for (int i = 0; i < 3; i++) {
            wallets.award("report-" + UUID.randomUUID(), payer.toString(), 5, "LIBRARY_SHIFT", 1,
                    Instant.now().minus(Duration.ofDays(15 + i)));
        }
        wallets.catchUp(payer, Instant.now());
        // As the server's text: JDBC's ?n are PostgreSQL's $n (the statement has no other question marks).
        String sql = WalletStore.LOTS_FOR.replaceAll("\\?(\\d)", "\\$$1");
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("ANALYZE award_lot");
            s.execute("PREPARE lots_for (uuid, timestamptz, bigint, int, uuid[]) AS " + sql);
            for (int i = 0; i < EXECUTIONS; i++) {
                // As Reserve + Capture: a reservation spends, a capture spends nothing and names its hold's lots.
                boolean reserve = i % 2 == 0;
                String execute = String.format("EXECUTE lots_for ('%s', '%s', %d, %d, '{%s}')", payer, Instant.now(),
                        reserve ? 1 : 0, reserve ? 64 : Integer.MAX_VALUE, reserve ? "" : UUID.randomUUID());
                int lots = 0;
                try (ResultSet r = s.executeQuery(execute)) {
                    while (r.next()) {
                        lots++;
                    }
                }
                assertThat(lots).as("the oldest lot covers one point; a capture names a lot that is not there")
                        .isEqualTo(reserve ? 1 : 0);
            }
            try (ResultSet r = s.executeQuery(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'lots_for'")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getLong("custom_plans")).as("custom plans: only the first five").isEqualTo(5);
                assertThat(r.getLong("generic_plans")).isEqualTo(EXECUTIONS - 5);
            } finally {
                s.execute("DEALLOCATE lots_for");
            }
        }
    }
}
