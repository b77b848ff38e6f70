package org.civiccredit.kit.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;

/** Tokens a verifier must refuse, derived from a real one: same claims, but a signature that is not Keycloak's. */
public final class ForgedTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ForgedTokens() {
    }

    /** The real header and claims, signed with a freshly generated RSA key that Keycloak never published. */
    public static String resignedWithForeignKey(String realToken) {
        String[] parts = realToken.split("\\.");
        String signingInput = parts[0] + "." + parts[1];
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair foreign = generator.generateKeyPair();
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(foreign.getPrivate());
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The real signature over claims that were edited afterwards (here: extra realm roles). */
    public static String withTamperedClaims(String realToken) {
        String[] parts = realToken.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String escalated = claims.replace("\"roles\":[", "\"roles\":[\"admin\",\"service\",");
        if (escalated.equals(claims)) {
            throw new IllegalStateException("token has no realm roles to tamper with: " + claims);
        }
        return parts[0] + "." + B64.encodeToString(escalated.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** An unsigned token ({@code alg: none}) carrying the real claims. */
    public static String unsigned(String realToken) {
        String header = B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        return header + "." + realToken.split("\\.")[1] + ".";
    }
}
