package org.civiccredit.kit.domain;

/**
 * The closed taxonomy of conduct a rule may concern. There is deliberately no category for belief, origin,
 * language, opinion, petitions, speech, association, health, sexuality or relatives: such conduct cannot be
 * scored because it cannot even be named. Only {@link #PROGRAM_CONDUCT} may deduct.
 */
public enum ConductCategory {
    VOLUNTEERING,
    CAREGIVING,
    ENVIRONMENT,
    COMMUNITY_IMPROVEMENT,
    LEARNING,
    CIVIC_PARTICIPATION,
    PROGRAM_CONDUCT;

    /** Whether rules of this category may carry a negative score delta. */
    public boolean mayDeduct() {
        return this == PROGRAM_CONDUCT;
    }
}
