package org.civiccredit.reports.service;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.reports.domain.CatalogRule;
import org.civiccredit.reports.persistence.RuleCatalogEntity;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.jboss.logging.Logger;

/**
 * The local copy of published rule tables that intake checks reports against, refreshed from scoring-service
 * (on a schedule, and once more when a report names a rule the copy does not know). Because it is kept in
 * this service's database, reports are accepted while scoring-service is down.
 */
@ApplicationScoped
public class RuleCatalog {

    private static final Logger LOG = Logger.getLogger(RuleCatalog.class);

    @Inject
    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RuleTableServiceBlockingStub ruleTables;

    @Inject
    EntityManager em;

    @Inject
    AuditLog audit;

    /**
     * The newest version this instance has stored or found stored (0 before it has looked): read on every report,
     * so it is kept in memory rather than asked of the database each time. A version another instance stored is
     * found by this instance's own refresh, within the same interval as a new publication.
     */
    private volatile long known;

    /** The newest version known here, if any. */
    public Optional<Long> currentVersion() {
        long version = known;
        if (version > 0) {
            return Optional.of(version);
        }
        Long stored = em.createQuery("SELECT max(r.version) FROM RuleCatalogEntity r", Long.class).getSingleResult();
        if (stored != null) {
            advanceTo(stored);
        }
        return Optional.ofNullable(stored);
    }

    /** At most this many rules of the current version are held in memory; beyond that a rule is read each time. */
    static final int MAX_HELD_RULES = 10_000;

    /** Rules of one version as this service stored them, held in memory: a published version never changes. */
    private record HeldRules(long version, ConcurrentMap<String, CatalogRule> byCode) {
    }

    /**
     * The current version's rules read so far, so that a report reads its rule from memory rather than from the
     * database: intake reads one per report. Nothing held can go stale, since a stored version is never changed;
     * a newer version starts an empty set. A code the version lacks is never held, so a rule added by a newer
     * publication is found once the version moves on.
     */
    private volatile HeldRules held = new HeldRules(0, new ConcurrentHashMap<>());

    private synchronized void advanceTo(long version) {
        if (version > known) {
            known = version;
        }
    }

    /** A rule of the current version: looked up by key, whatever the table's size. */
    public Optional<CatalogRule> currentRule(String code) {
        return currentVersion().flatMap(v -> {
            HeldRules rules = held;
            if (rules.version() != v) {
                rules = new HeldRules(v, new ConcurrentHashMap<>());
                held = rules;
            }
            CatalogRule rule = rules.byCode().get(code);
            if (rule == null) {
                RuleCatalogEntity stored = em.find(RuleCatalogEntity.class, new RuleCatalogEntity.Key(v, code));
                if (stored == null) {
                    return Optional.empty();
                }
                rule = stored.toDomain();
                if (rules.byCode().size() < MAX_HELD_RULES) {
                    rules.byCode().putIfAbsent(code, rule);
                }
            }
            return Optional.of(rule);
        });
    }

    /** Stores a published version (idempotent: a version is immutable once published). */
    public void remember(long version, List<CatalogRule> rules) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (RuleCatalogEntity.count("version", version) > 0) {
                return;
            }
            for (CatalogRule rule : rules) {
                RuleCatalogEntity e = new RuleCatalogEntity();
                e.version = version;
                e.code = rule.code();
                e.category = rule.category();
                e.title = rule.title();
                e.perUnit = rule.perUnit();
                e.unitCap = rule.unitCap();
                e.persist();
            }
            audit.record("rule-catalog:stored", "system", "rule_table_version=" + version);
        });
        advanceTo(version);
    }

    @Scheduled(every = "${intake.rule-catalog-refresh}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRefresh() {
        refresh();
    }

    /** Fetches the current table from scoring-service; false when it cannot be reached. */
    public boolean refresh() {
        RuleTable table;
        try {
            table = ruleTables.withDeadlineAfter(2, TimeUnit.SECONDS)
                    .getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build());
        } catch (StatusRuntimeException e) {
            LOG.debugf("rule table not refreshed: %s", e.getStatus());
            return false;
        }
        if (currentVersion().map(v -> v >= table.getVersion()).orElse(false)) {
            return true;
        }
        remember(table.getVersion(), table.getRulesList().stream().map(r -> new CatalogRule(table.getVersion(),
                r.getCode(), ConductCategory.valueOf(r.getCategory().name()), r.getTitle(), r.getPerUnit(),
                r.getUnitCap())).toList());
        LOG.infof("rule table version %d (%d rules) now current for intake", table.getVersion(), table.getRulesCount());
        return true;
    }
}
