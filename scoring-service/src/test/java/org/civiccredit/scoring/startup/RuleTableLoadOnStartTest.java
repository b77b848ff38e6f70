package org.civiccredit.scoring.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.Test;

/**
 * The service started with {@code scoring.rule-table.load-on-start} naming the demo table (deploy/demo, with notes
 * of its own so that this start has a table to publish): the table is current once the service is up.
 */
@QuarkusTest
@TestProfile(RuleTableLoadOnStartTest.DemoTableOnStart.class)
class RuleTableLoadOnStartTest {

    /** The demo rule table, as a file of this run. */
    public static class DemoTableOnStart implements QuarkusTestProfile {

        static final String NOTES = "demo table loaded on start " + UUID.randomUUID();
        static final Path FILE = copyOfDemoTable();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("scoring.rule-table.load-on-start", FILE.toString());
        }

        private static Path copyOfDemoTable() {
            try {
                String demo = Files.readString(Path.of("..", "deploy", "demo", "rule-table.yaml"));
                Path file = Files.createTempFile("demo-rule-table-", ".yaml");
                file.toFile().deleteOnExit();
                return Files.writeString(file, demo.replaceFirst("(?m)^notes: .*$", "notes: \"" + NOTES + "\""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    @Test
    void theFileIsTheCurrentTableOnceTheServiceIsUp() {
        RuleTable current = BearerAuth.as(ruleTables, DemoTokens.agencyGreenway())
                .getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build());
        assertThat(current.getNotes()).isEqualTo(DemoTableOnStart.NOTES);
        assertThat(current.getPublishedBy()).isEqualTo(RuleTableLoader.PUBLISHER);
        assertThat(current.getRulesList()).extracting(Rule::getCode).containsExactly("VOL_SHIFT_HOUR",
                "FOOD_SORTING", "LITERACY_TUTOR", "BLOOD_DONATION", "MISSED_SHIFT");
        assertThat(current.getTiersCount()).isEqualTo(3);
    }
}
