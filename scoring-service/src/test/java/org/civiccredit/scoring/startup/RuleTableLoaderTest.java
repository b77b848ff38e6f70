package org.civiccredit.scoring.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.ListRuleTableVersionsRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.RuleTableSummary;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.scoring.grpc.AuditEntries;
import org.civiccredit.scoring.startup.RuleTableLoader.Loaded;
import org.civiccredit.scoring.startup.RuleTableLoader.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule table file published at start-up, against the real database: once per table however many instances
 * start at once or restart, never over an identical current table nor over a newer one, and a refused file
 * names each offending rule and publishes nothing.
 */
@QuarkusTest
class RuleTableLoaderTest {

    @Inject
    RuleTableLoader loader;

    @Inject
    AgroalDataSource db;

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTablesClient;

    @TempDir
    Path dir;

    RuleTableServiceBlockingStub admin;

    @BeforeEach
    void setUp() {
        admin = BearerAuth.as(ruleTablesClient, DemoTokens.adminClient());
    }

    static String yamlTable(String notes, String extraRules) {
        return """
                notes: "%s"
                rules:
                  - code: LOADER_HOUR
                    category: VOLUNTEERING
                    title: Volunteering hour
                    scoreDelta: 5
                    perUnit: true
                    unitCap: 8
                    unitName: hour
                    awardPoints: 10
                    capPerPeriod: 80
                    capPeriod: CAP_PERIOD_WEEK
                    countsFor: 31536000s
                %s
                tiers:
                  - {name: Bronze, threshold: 50}
                """.formatted(notes, extraRules);
    }

    @Test
    void aFileIsPublishedOnceWhateverTheNumberOfInstancesStartingAndRestarting() throws Exception {
        String notes = "loader test " + UUID.randomUUID();
        Path yaml = Files.writeString(dir.resolve("table.yaml"), yamlTable(notes, ""));

        // Four instances starting at once against the same database.
        ExecutorService instances = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Loaded>> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            starts.add(instances.submit(() -> {
                start.await();
                return loader.load(yaml);
            }));
        }
        start.countDown();
        List<Loaded> loaded = new ArrayList<>();
        for (Future<Loaded> f : starts) {
            loaded.add(f.get(30, TimeUnit.SECONDS));
        }
        instances.shutdown();
        long version = loaded.stream().filter(l -> l.outcome() == Outcome.PUBLISHED).findFirst().orElseThrow()
                .version();
        assertThat(loaded).filteredOn(l -> l.outcome() == Outcome.PUBLISHED).hasSize(1);
        assertThat(loaded).containsOnly(new Loaded(Outcome.PUBLISHED, version),
                new Loaded(Outcome.ALREADY_CURRENT, version));
        assertThat(versionsNoted(notes)).containsExactly(version);
        RuleTable current = admin.getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build());
        assertThat(current.getVersion()).isEqualTo(version);
        assertThat(current.getPublishedBy()).isEqualTo(RuleTableLoader.PUBLISHER);
        assertThat(current.getRulesList()).extracting(Rule::getCode).containsExactly("LOADER_HOUR");

        // Restarts, with the file as it was and with the same table written as JSON.
        assertThat(loader.load(yaml)).isEqualTo(new Loaded(Outcome.ALREADY_CURRENT, version));
        Path json = Files.writeString(dir.resolve("table.json"), """
                {"notes": "%s", "tiers": [{"name": "Bronze", "threshold": 50}],
                 "rules": [{"code": "LOADER_HOUR", "category": "VOLUNTEERING", "title": "Volunteering hour",
                   "scoreDelta": 5, "perUnit": true, "unitCap": 8, "unitName": "hour", "awardPoints": 10,
                   "capPerPeriod": 80, "capPeriod": "CAP_PERIOD_WEEK", "countsFor": "31536000s"}]}
                """.formatted(notes));
        assertThat(loader.load(json)).isEqualTo(new Loaded(Outcome.ALREADY_CURRENT, version));

        // An administrator publishes a newer table: restarting does not put the file's table back.
        long newer = admin.publishRuleTable(RuleTableFile.parse(yamlTable(notes + " (edited)", ""), true, "edit")
                .toBuilder().setIdempotencyKey(UUID.randomUUID().toString()).build()).getVersion();
        assertThat(loader.load(yaml)).isEqualTo(new Loaded(Outcome.PUBLISHED_BEFORE, version));
        assertThat(admin.getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build()).getVersion())
                .isEqualTo(newer);
        assertThat(versionsNoted(notes)).containsExactly(version);
    }

    @Test
    void aPublicationFromAFileIsAuditedOnceAndARestartAddsNothing() throws Exception {
        Path yaml = Files.writeString(dir.resolve("audited.yaml"), yamlTable("audited " + UUID.randomUUID(), ""));
        long mark = AuditEntries.last(db);

        Loaded published = loader.load(yaml);
        assertThat(published.outcome()).isEqualTo(Outcome.PUBLISHED);
        assertThat(loader.load(yaml).outcome()).isEqualTo(Outcome.ALREADY_CURRENT);

        assertThat(AuditEntries.after(db, mark)).filteredOn(e -> e.contains(RuleTableLoader.AUDIT_ACTOR))
                .containsExactly("PublishRuleTable | " + RuleTableLoader.AUDIT_ACTOR + " | rule_table_version="
                        + published.version());
    }

    @Test
    void aRefusedFileNamesEachOffendingRuleAndPublishesNothingUntilItIsFixed() throws Exception {
        String notes = "refused loader test " + UUID.randomUUID();
        String offending = """
                  - {code: DOCKED_HOURS, category: VOLUNTEERING, title: Hours docked, scoreDelta: -5,
                     capPerPeriod: 10, capPeriod: CAP_PERIOD_WEEK, countsFor: 86400s}
                  - {code: PRAYERS, category: PROGRAM_CONDUCT, title: Missed Friday prayers, scoreDelta: -3,
                     capPerPeriod: 9, capPeriod: CAP_PERIOD_MONTH, countsFor: 86400s}
                """;
        Path file = Files.writeString(dir.resolve("refused.yml"), yamlTable(notes, offending));
        long before = currentVersion();

        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused.yml refused")
                .hasMessageContaining("nothing was published")
                .hasMessageContaining("rules[1] (DOCKED_HOURS).score_delta")
                .hasMessageContaining("rules[2] (PRAYERS).title")
                .hasMessageNotContaining("LOADER_HOUR");
        assertThat(currentVersion()).isEqualTo(before);
        assertThat(versionsNoted(notes)).isEmpty();

        // The refusal left no idempotency record behind: the fixed file publishes.
        Files.writeString(file, yamlTable(notes, ""));
        Loaded fixed = loader.load(file);
        assertThat(fixed.outcome()).isEqualTo(Outcome.PUBLISHED);
        assertThat(versionsNoted(notes)).containsExactly(fixed.version());
    }

    @Test
    void aFileThatIsNoRuleTableStopsTheLoadNamingWhere() throws Exception {
        Path file = Files.writeString(dir.resolve("typo.yaml"), yamlTable("typo " + UUID.randomUUID(), """
                  - {code: TYPO, category: LEARNING, title: Class, scoreDelta: 2, capPerPeriod: 4,
                     capPeriod: CAP_PERIOD_FORTNIGHT, countsFor: 86400s}
                """));
        long before = currentVersion();
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(RuleTableFile.Unreadable.class)
                .hasMessageContaining("rules[1] (code TYPO)").hasMessageContaining("CAP_PERIOD_FORTNIGHT");
        assertThat(currentVersion()).isEqualTo(before);
    }

    private long currentVersion() {
        return admin.listRuleTableVersions(ListRuleTableVersionsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(1)).build()).getVersionsList().stream()
                .mapToLong(RuleTableSummary::getVersion).findFirst().orElse(0);
    }

    /** The versions published with these notes, among the newest fifty. */
    private List<Long> versionsNoted(String notes) {
        return admin.listRuleTableVersions(ListRuleTableVersionsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(50)).build()).getVersionsList().stream()
                .filter(v -> v.getNotes().equals(notes)).map(RuleTableSummary::getVersion).toList();
    }
}
