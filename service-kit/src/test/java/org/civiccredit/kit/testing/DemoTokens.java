package org.civiccredit.kit.testing;

import io.quarkus.test.keycloak.client.KeycloakTestClient;

/**
 * Real access tokens from the running Keycloak for the demo identities of the {@code civic-credit} realm
 * (deploy/keycloak/civic-credit-realm.json). Tests call through the same token path as production.
 */
public final class DemoTokens {

    private static final KeycloakTestClient KEYCLOAK = new KeycloakTestClient();

    private DemoTokens() {
    }

    /** Agency "greenway-volunteers" (role agency). */
    public static String agencyGreenway() {
        return KEYCLOAK.getClientAccessToken("agency-greenway", "greenway-demo-secret");
    }

    /** Agency "northside-food-bank" (role agency). */
    public static String agencyNorthside() {
        return KEYCLOAK.getClientAccessToken("agency-northside", "northside-demo-secret");
    }

    /** Merchant "corner-cafe" (role merchant). */
    public static String merchantCornerCafe() {
        return KEYCLOAK.getClientAccessToken("merchant-corner-cafe", "corner-cafe-demo-secret");
    }

    /** The administrators' command-line client (role admin). */
    public static String adminClient() {
        return KEYCLOAK.getClientAccessToken("civic-admin-cli", "admin-cli-demo-secret");
    }

    /** A service-to-service token (role service), here reports-service's. */
    public static String service() {
        return KEYCLOAK.getClientAccessToken("reports-service", "reports-service-secret");
    }

    /** Participant user "pat.participant" through the public app client. */
    public static String participantPat() {
        return user("pat.participant", "pat-demo-password");
    }

    /** Participant user "sam.participant". */
    public static String participantSam() {
        return user("sam.participant", "sam-demo-password");
    }

    /** Reviewer user "rita.reviewer". */
    public static String reviewer() {
        return user("rita.reviewer", "rita-demo-password");
    }

    /** Admin user "ada.admin". */
    public static String adminUser() {
        return user("ada.admin", "ada-demo-password");
    }

    private static String user(String name, String password) {
        return KEYCLOAK.getAccessToken(name, password, "civic-app", null);
    }
}
