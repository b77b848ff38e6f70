package org.civiccredit.scoring.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A participant registered at enrolment (or the tombstone of an erased one). */
@Entity
@Table(name = "participant")
public class ParticipantEntity extends PanacheEntityBase {

    @Id
    @Column(name = "participant_id")
    public String participantId;

    @Column(name = "keycloak_subject")
    public String keycloakSubject;

    @Column(name = "enrolled_at")
    public Instant enrolledAt;

    @Column(name = "registered_at")
    public Instant registeredAt;

    @Column(name = "erased_at")
    public Instant erasedAt;

    @Column(name = "score_version", nullable = false)
    public long scoreVersion;

    /** The earliest end of a counting window among the events that contribute to the score; null if none. */
    @Column(name = "score_valid_until")
    public Instant scoreValidUntil;

    /**
     * The sum of the contributions of the participant's events before the floor at 0, as it stands until
     * {@link #scoreValidUntil}; null when unknown (a row from before it was kept). Kept in the transaction of
     * every change of the participant's events, under the participant's row lock.
     */
    @Column(name = "score_sum")
    public Long scoreSum;

    public boolean erased() {
        return erasedAt != null;
    }

    /** Whether {@link #scoreSum} is the participant's sum at {@code now}: known, and no window has ended since. */
    public boolean scoreSumHoldsAt(Instant now) {
        return scoreSum != null && (scoreValidUntil == null || scoreValidUntil.isAfter(now));
    }
}
