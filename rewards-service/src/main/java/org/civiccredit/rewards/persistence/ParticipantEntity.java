package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Row of table {@code participant}. */
@Entity
@Table(name = "participant")
public class ParticipantEntity extends PanacheEntityBase {

    @Id
    @Column(name = "participant_id")
    public UUID participantId;

    public String subject;

    @Column(name = "registered_at", nullable = false)
    public Instant registeredAt;

    @Column(name = "erased_at")
    public Instant erasedAt;
}
