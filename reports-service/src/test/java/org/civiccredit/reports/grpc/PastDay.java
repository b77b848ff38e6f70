package org.civiccredit.reports.grpc;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rows of one day long past (between 1900 and 1950), written straight into the test database, for tests of
 * aggregates over a period: no other test writes anything that old, so the figures of that day are exactly
 * what a test put there. Every row it writes is recognisable (participants enrolled before 1960, agencies named
 * {@code transparency-test-*}, refusals counted before 1960) and {@link #clear} removes them all.
 */
final class PastDay {

    private static final String AGENCY_PREFIX = "transparency-test-";

    final LocalDate day = LocalDate.of(1900, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(365 * 50));
    final Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    final Instant end = start.plus(1, ChronoUnit.DAYS);

    private final EntityManager em;

    PastDay(EntityManager em) {
        this.em = em;
    }

    /** Removes every row any PastDay ever wrote. */
    void clear() {
        QuarkusTransaction.requiringNew().run(() -> {
            String old = "(SELECT participant_id FROM participant WHERE enrolled_at < '1960-01-01')";
            em.createNativeQuery("DELETE FROM contest WHERE participant_id IN " + old).executeUpdate();
            em.createNativeQuery("DELETE FROM report WHERE participant_id IN " + old).executeUpdate();
            em.createNativeQuery("DELETE FROM participant WHERE enrolled_at < '1960-01-01'").executeUpdate();
            em.createNativeQuery("DELETE FROM agency_category WHERE agency_id LIKE '" + AGENCY_PREFIX + "%'")
                    .executeUpdate();
            em.createNativeQuery("DELETE FROM agency WHERE agency_id LIKE '" + AGENCY_PREFIX + "%'").executeUpdate();
            em.createNativeQuery("DELETE FROM intake_refusal WHERE day < '1960-01-01'").executeUpdate();
        });
    }

    /** A registered agency; returns its id. */
    String agency(String name) {
        String id = AGENCY_PREFIX + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO agency (agency_id, display_name, client_id, status, created_at, updated_at)
                VALUES (?1, ?2, ?3, 'ACTIVE', ?4, ?4)""").setParameter(1, id).setParameter(2, "Agency " + name)
                .setParameter(3, id + "-client").setParameter(4, start.minus(400, ChronoUnit.DAYS)).executeUpdate());
        return id;
    }

    /** A participant enrolled at {@code enrolledAt} and, unless null, withdrawn at {@code withdrawnAt}. */
    UUID participant(Instant enrolledAt, Instant withdrawnAt) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO participant (participant_id, subject, state, consent_version, enrolled_at, withdrawn_at)
                VALUES (?1, ?2, ?3, 1, ?4, ?5)""").setParameter(1, id)
                .setParameter(2, withdrawnAt == null ? "past-" + id : null)
                .setParameter(3, withdrawnAt == null ? "ENROLLED" : "WITHDRAWN").setParameter(4, enrolledAt)
                .setParameter(5, withdrawnAt).executeUpdate());
        return id;
    }

    /** A report received at {@code receivedAt}; returns its id. */
    UUID report(String agencyId, UUID participantId, String category, Instant receivedAt, String status) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO report (report_id, agency_id, participant_id, rule_code, rule_table_version, category,
                    rule_title, quantity, occurred_at, received_at, evidence_ref, status, status_changed_at)
                VALUES (?1, ?2, ?3, 'PAST', 1, ?4, 'A past rule', 0, ?5, ?5, 'ref:past', ?6, ?5)""")
                .setParameter(1, id).setParameter(2, agencyId).setParameter(3, participantId)
                .setParameter(4, category).setParameter(5, receivedAt).setParameter(6, status).executeUpdate());
        return id;
    }

    /** A contest of a report, opened at {@code openedAt}, in {@code state}. */
    void contest(UUID reportId, UUID participantId, Instant openedAt, String state) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO contest (contest_id, report_id, participant_id, statement, opened_at, state, decided_at,
                    decision_reason, reviewer)
                VALUES (?1, ?2, ?3, 'past statement', ?4, ?5, ?6, ?7, ?8)""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, reportId).setParameter(3, participantId)
                .setParameter(4, openedAt).setParameter(5, state)
                .setParameter(6, state.equals("OPEN") ? null : openedAt.plusSeconds(60))
                .setParameter(7, state.equals("OPEN") ? null : "past reason")
                .setParameter(8, state.equals("OPEN") ? null : "past-reviewer").executeUpdate());
    }

    /** Refusals counted against an agency on a day. */
    void refusals(String agencyId, String reason, String ground, LocalDate on, long count) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO intake_refusal (agency_id, reason, ground, day, refusals) VALUES (?1, ?2, ?3, ?4, ?5)""")
                .setParameter(1, agencyId).setParameter(2, reason).setParameter(3, ground).setParameter(4, on)
                .setParameter(5, count).executeUpdate());
    }

    /** {@code hours} after the start of the day (negative: before it). */
    Instant at(double hours) {
        return start.plusNanos(Math.round(hours * 3_600_000_000_000L));
    }
}
