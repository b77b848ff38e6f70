package org.civiccredit.reports.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.civiccredit.reports.domain.Enrollment;

/** Row of table {@code participant}. */
@Entity
@Table(name = "participant")
public class ParticipantEntity extends PanacheEntityBase {

    @Id
    @Column(name = "participant_id")
    public UUID participantId;

    public String subject;

    @Column(nullable = false)
    public String state;

    @Column(name = "consent_version", nullable = false)
    public long consentVersion;

    @Column(name = "enrolled_at", nullable = false)
    public Instant enrolledAt;

    @Column(name = "withdrawn_at")
    public Instant withdrawnAt;

    public static Optional<ParticipantEntity> enrolledBySubject(String subject) {
        return find("subject = ?1 AND state = 'ENROLLED'", subject).firstResultOptional();
    }

    public boolean enrolled() {
        return "ENROLLED".equals(state);
    }

    public Enrollment toDomain() {
        return new Enrollment(participantId, subject, enrolled(), consentVersion, enrolledAt, withdrawnAt);
    }
}
