package org.civiccredit.load;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Locale;
import org.civiccredit.api.common.v1.EchoRequest;
import org.civiccredit.load.Targets.Service;

/**
 * The baseline: civiccredit.common.v1.EchoService/Echo on a service, closed loop, as many sessions as the
 * scenarios use, measured right before each scenario on the service that scenario calls. It costs transport
 * and token verification only, so each scenario's rate divided by it says how much of the achievable rate its
 * own work leaves.
 */
public final class EchoBaseline {

    private static final EchoRequest REQUEST = EchoRequest.newBuilder()
            .setPayload(ByteString.copyFromUtf8("civic-credit-load")).build();

    private EchoBaseline() {
    }

    /** The echo baseline of every service. */
    public static void run(Run run) {
        for (Service service : Service.values()) {
            before(run, service, "");
        }
    }

    /**
     * The echo baseline of {@code service}, measured just before the scenario that will be compared with it: on a
     * machine shared with other work, what the cores can give changes from minute to minute, and a ratio is only
     * fair between phases that ran under the same conditions.
     */
    public static void before(Run run, Service service, String scenario) {
        Measurement m = measure(run, service, run.warmup(), "",
                scenario.isEmpty() ? "baseline" : "baseline of " + scenario);
        run.echoRate(service, m.rate());
    }

    /**
     * The echo baseline of {@code service} measured again right after its scenario (the services are warm by
     * then: a short warm-up); if it is higher than the one before, the scenario's ratios are taken against it,
     * so that a baseline measured while the service's JIT was still compiling does not flatter them.
     */
    public static void after(Run run, Service service, String scenario) {
        Measurement m = measure(run, service, Duration.ofSeconds(5), ", after", "baseline of " + scenario
                + " measured again after it; the ratios use the higher of the two");
        double before = run.echoRate(service);
        run.results().compareWithHigherEcho(before, m.rate());
        run.echoRate(service, Math.max(before, m.rate()));
    }

    /**
     * The echo of {@code service} at a fixed arrival rate (open loop, latency from the intended start): the latency
     * floor that an open-loop phase of a scenario at the same rate has on this machine, where the driver shares the
     * cores with the services, so that its tail can be read against what transport and token cost alone.
     */
    public static void openLoop(Run run, Service service, double rate, String scenario) {
        Load.Operation echo = echo(run, service);
        Load.openLoop("warm-up", rate, Load.Bounds.of(Duration.ofSeconds(5)), 2_000, echo);
        String name = String.format(Locale.ROOT, "Echo %s, open at %.0f/s", service.name().toLowerCase(), rate);
        run.measure(name, String.format(Locale.ROOT, "open, %.0f/s", rate), null,
                "the latency floor of " + scenario + " at the same rate", () -> Load.openLoop(name, rate,
                        Load.Bounds.of(run.phase()), 2_000, echo));
    }

    /** One echo phase on {@code service}: {@code warmup} unmeasured, then the measured closed loop. */
    private static Measurement measure(Run run, Service service, Duration warmup, String suffix, String note) {
        int sessions = run.options().integer("concurrency", 64);
        Load.Operation echo = echo(run, service);
        Load.closedLoop("warm-up", sessions, Load.Bounds.of(warmup), echo);
        String name = "Echo " + service.name().toLowerCase() + suffix;
        return run.measure(name, "closed, " + sessions + " sessions", null, note,
                () -> Load.closedLoop(name, sessions, Load.Bounds.of(run.echoPhase()), echo));
    }

    /** One echo call on {@code service}. */
    private static Load.Operation echo(Run run, Service service) {
        return seq -> Load.of(run.clients().echo(service).echo(REQUEST));
    }
}
