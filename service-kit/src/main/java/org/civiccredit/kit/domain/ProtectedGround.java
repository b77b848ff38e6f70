package org.civiccredit.kit.domain;

/**
 * The protected grounds: who people are, what they believe and say, whom they meet, their bodies and their
 * relatives. Nothing that concerns one of these grounds can ever be scored, for or against anyone: an agency
 * report whose note concerns one is refused at intake, and so is a rule table whose titles or descriptions do.
 * The refusal names the ground. The vocabulary that recognises them is
 * {@code service-kit/src/main/resources/screen/protected-grounds.txt}, applied by
 * {@link org.civiccredit.kit.screen.ProtectedGroundScreen}.
 */
public enum ProtectedGround {
    /** Religion or belief, including having none: faith, worship, prayer, observance, religious dress. */
    RELIGION_OR_BELIEF,
    /** Ethnicity, race, skin colour, descent and ethnic origin. */
    ETHNICITY,
    /** Nationality, citizenship, migration and residence status. */
    NATIONALITY,
    /** The language a person speaks, their mother tongue, dialect or accent. */
    LANGUAGE,
    /** Political opinion, party membership, voting and activism. */
    POLITICAL_OPINION,
    /** Petitions, complaints or appeals to authorities, and reporting to them. */
    PETITION_OR_COMPLAINT,
    /** Speech and expression: what a person said, wrote, published or posted online. */
    SPEECH,
    /** Association and assembly: membership, meetings, demonstrations, strikes, unions. */
    ASSOCIATION_OR_ASSEMBLY,
    /** Physical or mental health, disability, pregnancy. */
    HEALTH,
    /** Sexual orientation, gender identity and sex life. */
    SEXUALITY,
    /** The acts or status of a person's relatives, and their family status. */
    FAMILY
}
