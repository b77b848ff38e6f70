package org.civiccredit.scoring.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.screen.ProtectedGroundScreen;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.PublishedRuleTable;
import org.civiccredit.scoring.domain.RuleDefinition;
import org.civiccredit.scoring.domain.RuleTableSummary;
import org.civiccredit.scoring.domain.RuleTableValidator;
import org.civiccredit.scoring.domain.TierDefinition;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.persistence.RuleEntity;
import org.civiccredit.scoring.persistence.RuleTableEntity;
import org.civiccredit.scoring.persistence.TierEntity;

/** Publishes rule tables as whole, immutable versions and reads any version back. */
@ApplicationScoped
public class RuleTables {

    /** Serialises publications so versions are gapless: key of a transaction-scoped advisory lock. */
    private static final long PUBLISH_LOCK = 0x52554c455441424cL;

    private static final ProtectedGroundScreen SCREEN = ProtectedGroundScreen.fromClasspath();

    /** At most this many published rules are held in memory; beyond that a rule is read each time. */
    static final int MAX_HELD_RULES = 10_000;

    @Inject
    ScoringConfig config;

    @Inject
    EntityManager em;

    @Inject
    Event<Tiers> tiersPublished;

    /**
     * Published rules read so far, by version and code: every applied report reads its rule, and a published
     * version never changes, so nothing held can go stale. A rule not found is not held: its version may be in
     * the middle of being published.
     */
    private final ConcurrentMap<RuleEntity.Key, RuleDefinition> held = new ConcurrentHashMap<>();

    /**
     * Validates the whole table, then stores it as the next version, which becomes current. The rows are
     * written in JDBC batches (quarkus.hibernate-orm.jdbc.statement-batch-size, rewritten into multi-row
     * inserts by the driver), so a table of thousands of rules costs a handful of round trips.
     */
    @Transactional
    public PublishedRuleTable publish(List<RuleDefinition> rules, List<TierDefinition> tiers, String notes,
            String publishedBy, Violations violations) {
        new RuleTableValidator(config.rules().bounds(), SCREEN).validate(rules, tiers, notes, violations);
        violations.throwIfAny();

        lockPublications();
        Long latest = em.createQuery("SELECT max(t.version) FROM RuleTableEntity t", Long.class).getSingleResult();
        RuleTableEntity table = new RuleTableEntity();
        table.version = latest == null ? 1 : latest + 1;
        table.publishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        table.publishedBy = publishedBy;
        table.notes = notes;
        table.persist();
        for (int i = 0; i < rules.size(); i++) {
            toEntity(table.version, i, rules.get(i)).persist();
        }
        for (int i = 0; i < tiers.size(); i++) {
            TierEntity tier = new TierEntity();
            tier.version = table.version;
            tier.position = i;
            tier.name = tiers.get(i).name();
            tier.threshold = tiers.get(i).threshold();
            tier.persist();
        }
        // Announced after the commit: every instance places the live scores in the new tiers.
        tiersPublished.fire(new Tiers(table.version, tiers));
        return new PublishedRuleTable(table.version, table.publishedAt, publishedBy, notes, List.copyOf(rules),
                List.copyOf(tiers));
    }

    /**
     * Holds back every other publication, on any instance, until this transaction ends: what is read as current
     * now stays current until then.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockPublications() {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, PUBLISH_LOCK).getSingleResult();
    }

    /** One version, or the current one for version 0. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<PublishedRuleTable> get(long version) {
        Optional<RuleTableEntity> table = version == 0
                ? RuleTableEntity.<RuleTableEntity>find("order by version desc").firstResultOptional()
                : RuleTableEntity.findByIdOptional(version);
        return table.map(t -> new PublishedRuleTable(t.version, t.publishedAt, t.publishedBy, t.notes,
                RuleEntity.<RuleEntity>list("version = ?1 order by position", t.version).stream()
                        .map(RuleTables::toDefinition).toList(),
                TierEntity.<TierEntity>list("version = ?1 order by position", t.version).stream()
                        .map(e -> new TierDefinition(e.name, e.threshold)).toList()));
    }

    /** The tiers of the current table, ascending by threshold; {@link Tiers#NONE} before the first table. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Tiers currentTiers() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT current.version, t.name, t.threshold
                FROM (SELECT max(version) AS version FROM rule_table) current
                LEFT JOIN tier t ON t.version = current.version
                ORDER BY t.position""").getResultList();
        if (rows.isEmpty() || rows.get(0)[0] == null) {
            return Tiers.NONE;
        }
        List<TierDefinition> tiers = new ArrayList<>();
        for (Object[] row : rows) {
            if (row[1] != null) {
                tiers.add(new TierDefinition((String) row[1], ((Number) row[2]).longValue()));
            }
        }
        return new Tiers(((Number) rows.get(0)[0]).longValue(), tiers);
    }

    /** Versions older than {@code beforeVersion} (0: from the newest), newest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<RuleTableSummary> list(long beforeVersion, int limit) {
        Long latest = em.createQuery("SELECT max(t.version) FROM RuleTableEntity t", Long.class).getSingleResult();
        List<Object[]> rows = em.createQuery("""
                SELECT t.version, t.publishedAt, t.publishedBy, t.notes,
                       (SELECT count(r) FROM RuleEntity r WHERE r.version = t.version)
                FROM RuleTableEntity t WHERE (?1 = 0 OR t.version < ?1) ORDER BY t.version DESC""", Object[].class)
                .setParameter(1, beforeVersion).setMaxResults(limit).getResultList();
        List<RuleTableSummary> summaries = new ArrayList<>();
        for (Object[] row : rows) {
            long version = (Long) row[0];
            summaries.add(new RuleTableSummary(version, (Instant) row[1], (String) row[2], (String) row[3],
                    ((Long) row[4]).intValue(), latest != null && version == latest));
        }
        return summaries;
    }

    private static RuleEntity toEntity(long version, int position, RuleDefinition rule) {
        RuleEntity e = new RuleEntity();
        e.version = version;
        e.position = position;
        e.code = rule.code();
        e.category = rule.category();
        e.title = rule.title();
        e.description = rule.description();
        e.scoreDelta = rule.scoreDelta();
        e.perUnit = rule.perUnit();
        e.unitCap = rule.unitCap();
        e.unitName = rule.unitName();
        e.awardPoints = rule.awardPoints();
        e.capPerPeriod = rule.capPerPeriod();
        e.capPeriod = rule.capPeriod();
        e.countsForSeconds = rule.countsFor().toSeconds();
        return e;
    }

    /** Rule {@code code} of published version {@code version}; empty when that version does not have it. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<RuleDefinition> rule(long version, String code) {
        RuleEntity.Key key = new RuleEntity.Key(version, code);
        RuleDefinition rule = held.get(key);
        if (rule == null) {
            RuleEntity stored = em.find(RuleEntity.class, key);
            if (stored == null) {
                return Optional.empty();
            }
            rule = toDefinition(stored);
            if (held.size() < MAX_HELD_RULES) {
                held.putIfAbsent(key, rule);
            }
        }
        return Optional.of(rule);
    }

    static RuleDefinition toDefinition(RuleEntity e) {
        return new RuleDefinition(e.code, e.category, e.title, e.description, e.scoreDelta, e.perUnit, e.unitCap,
                e.unitName, e.awardPoints, e.capPerPeriod, e.capPeriod, Duration.ofSeconds(e.countsForSeconds));
    }
}
