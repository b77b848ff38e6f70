package org.civiccredit.load;

import com.google.protobuf.ByteString;
import org.civiccredit.api.common.v1.EchoRequest;
import org.civiccredit.load.Targets.Service;

/**
 * The baseline: civiccredit.common.v1.EchoService/Echo on each service, closed loop, as many sessions as the
 * scenarios use. It costs transport and token verification only, so each scenario's rate divided by it says how
 * much of the achievable rate its own work leaves.
 */
public final class EchoBaseline {

    private static final EchoRequest REQUEST = EchoRequest.newBuilder()
            .setPayload(ByteString.copyFromUtf8("civic-credit-load")).build();

    private EchoBaseline() {
    }

    public static void run(Run run) {
        int sessions = run.options().integer("concurrency", 64);
        for (Service service : Service.values()) {
            Load.Operation echo = seq -> Load.of(run.clients().echo(service).echo(REQUEST));
            Load.closedLoop("warm-up", sessions, Load.Bounds.of(run.warmup()), echo);
            String name = "Echo " + service.name().toLowerCase();
            Measurement m = run.measure(name, "closed, " + sessions + " sessions", null, "baseline",
                    () -> Load.closedLoop(name, sessions, Load.Bounds.of(run.phase()), echo));
            run.echoRate(service, m.rate());
        }
    }
}
