package org.civiccredit.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code civic audit verify}: asks each service to walk its hash-chained audit log (admin endpoint
 * {@code /api/v1/admin/audit/verification}) and prints one line per service — intact with its length and last
 * hash (keep it: a later run that ends earlier shows truncation), or the first broken link and what is wrong.
 */
final class AuditVerify {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AuditVerify() {
    }

    /** Verifies each service's chain; 0 when every one is intact, 1 otherwise. */
    static int run(List<String> services, String token, String target, Map<String, String> defaultTargets,
            PrintStream out) {
        if (target != null && services.size() != 1) {
            throw new IllegalArgumentException("--target names one service's address: name exactly one service");
        }
        int status = 0;
        for (String service : services) {
            String address = target != null ? target : defaultTargets.get(service);
            if (address == null) {
                throw new IllegalArgumentException("unknown service " + service + " (reports, scoring or rewards)");
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + address + "/api/v1/admin/audit/verification"))
                        .timeout(Duration.ofMinutes(10)).header("Authorization", "Bearer " + token).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    out.printf("%s: cannot verify: HTTP %d %s%n", service, r.statusCode(), r.body());
                    status = 1;
                    continue;
                }
                JsonObject v = JsonParser.parseString(r.body()).getAsJsonObject();
                if (v.get("intact").getAsBoolean()) {
                    out.printf("%s: intact, %d entries, last hash %s%n", service,
                            v.get("entriesVerified").getAsLong(), v.get("lastGoodHash").getAsString());
                } else {
                    out.printf("%s: BROKEN at entry %d: %s (%d entries before it verify, last good hash %s)%n",
                            service, v.get("firstBrokenSeq").getAsLong(), v.get("problem").getAsString(),
                            v.get("entriesVerified").getAsLong(), v.get("lastGoodHash").getAsString());
                    status = 1;
                }
            } catch (IOException e) {
                out.printf("%s: cannot verify: %s unreachable (%s)%n", service, address, e.getMessage());
                status = 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return status;
    }
}
