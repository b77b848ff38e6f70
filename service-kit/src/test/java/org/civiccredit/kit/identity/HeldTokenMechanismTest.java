package org.civiccredit.kit.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The header a held token is read from: only exactly {@code Bearer <token>}. Anything else is left to Quarkus OIDC's
 * mechanism, so a header it would read differently (or refuse) can never be answered from a held identity.
 */
class HeldTokenMechanismTest {

    @Test
    void aBearerHeaderGivesItsToken() {
        assertThat(HeldTokenMechanism.bearerToken("Bearer eyJ.eyJ.sig")).isEqualTo("eyJ.eyJ.sig");
        assertThat(HeldTokenMechanism.bearerToken("bearer eyJ.eyJ.sig")).isEqualTo("eyJ.eyJ.sig");
        assertThat(HeldTokenMechanism.bearerToken("BEARER t")).isEqualTo("t");
    }

    @Test
    void anythingButExactlyOneBearerTokenGivesNone() {
        for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer  eyJ.eyJ.sig", "Bearer eyJ.eyJ.sig ",
            "Bearer a b", "Bearer a\tb", "Basic YWRtaW46YWRtaW4=", "DPoP eyJ.eyJ.sig", "Bearereyj.eyJ.sig",
            " Bearer eyJ.eyJ.sig"}) {
            assertThat(HeldTokenMechanism.bearerToken(header)).as("header <%s>", header).isNull();
        }
    }
}
