package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.common.v1.ProtectedGround;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.AgencyFigures;
import org.civiccredit.api.reports.v1.CategoryCount;
import org.civiccredit.api.reports.v1.GetTransparencyReportRequest;
import org.civiccredit.api.reports.v1.GroundRefusals;
import org.civiccredit.api.reports.v1.SuppressibleCount;
import org.civiccredit.api.reports.v1.SuppressibleRate;
import org.civiccredit.api.reports.v1.TransparencyReport;
import org.civiccredit.api.reports.v1.TransparencyServiceGrpc.TransparencyServiceBlockingStub;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.reports.standin.RewardsStandIn;
import org.civiccredit.reports.standin.StandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public transparency report over a period of whole UTC days, from real rows of one past day: totals,
 * categories, agencies, refusals by ground, contests, enrolment and the points totals rewards-service gives
 * (stood in for by a real gRPC server that checks this service's Keycloak token), with small counts and the
 * rates derived from them suppressed.
 */
@QuarkusTest
class TransparencyGrpcServiceTest {

    private static final int REWARDS_TEST_PORT = 19083;

    @GrpcClient("self")
    TransparencyServiceBlockingStub transparency;

    /** The channel reports-service calls rewards-service on (the one carrying its service token). */
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    Channel rewardsChannel;

    @Inject
    EntityManager em;

    private PastDay past;
    private RewardsStandIn rewards;
    private StandIn rewardsStandIn;

    @BeforeEach
    void setUp() {
        past = new PastDay(em);
        past.clear();
        rewards = new RewardsStandIn();
        rewardsStandIn = StandIn.start(REWARDS_TEST_PORT, (ManagedChannel) rewardsChannel, rewards);
    }

    @AfterEach
    void tearDown() {
        rewardsStandIn.close();
        past.clear();
    }

    private TransparencyReport report(Instant start, Instant end) {
        return BearerAuth.as(transparency, DemoTokens.merchantCornerCafe()).getTransparencyReport(
                GetTransparencyReportRequest.newBuilder().setPeriod(period(start, end)).build());
    }

    private static TimeRange period(Instant start, Instant end) {
        return TimeRange.newBuilder().setStart(ts(start)).setEnd(ts(end)).build();
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static SuppressibleCount shown(long n) {
        return SuppressibleCount.newBuilder().setValue(n).build();
    }

    private static SuppressibleCount suppressed() {
        return SuppressibleCount.newBuilder().setSuppressed(true).build();
    }

    /**
     * Agency A: 12 reports (7 volunteering, one at 00:00 sharp; 5 learning), 2 of them withdrawn, 6 contested (5
     * overturned, 1 upheld). Agency B: 2 reports in the day, one just before and one at the end of it, and a
     * contest opened the next day. Agency C: 10 reports, 2 overturned. Refusals: 6 + 1 on religion, 1 on health
     * (and 9 the next day). Participants: 8 enrolled before, one withdrawn during and one after the day, one
     * enrolled the next day.
     */
    private Map<String, String> pastDayOfThreeAgencies() {
        String a = past.agency("a");
        String b = past.agency("b");
        String c = past.agency("c");
        UUID[] people = new UUID[8];
        for (int i = 0; i < people.length; i++) {
            Instant withdrawn = i == 0 ? past.at(12) : i == 1 ? past.at(25) : null;
            people[i] = past.participant(past.at(-240), withdrawn);
        }
        past.participant(past.at(25), null);
        for (int i = 0; i < 7; i++) {
            UUID r = past.report(a, people[i], "VOLUNTEERING", past.at(i), i < 2 ? "WITHDRAWN" : "ACCEPTED");
            if (i >= 2 && i < 7) {
                past.contest(r, people[i], past.at(15), "OVERTURNED");
            }
        }
        for (int i = 0; i < 5; i++) {
            UUID r = past.report(a, people[i], "LEARNING", past.at(8 + i), "ACCEPTED");
            if (i == 0) {
                past.contest(r, people[i], past.at(16), "UPHELD");
            }
        }
        past.report(b, people[3], "COMMUNITY_IMPROVEMENT", past.at(3), "ACCEPTED");
        UUID lateContest = past.report(b, people[4], "COMMUNITY_IMPROVEMENT", past.at(23.99), "ACCEPTED");
        past.contest(lateContest, people[4], past.at(26), "OPEN");
        past.report(b, people[5], "COMMUNITY_IMPROVEMENT", past.start.minusNanos(1000), "ACCEPTED");
        past.report(b, people[5], "COMMUNITY_IMPROVEMENT", past.end, "ACCEPTED");
        for (int i = 0; i < 10; i++) {
            UUID r = past.report(c, people[i % 8], "VOLUNTEERING", past.at(20), "ACCEPTED");
            if (i < 2) {
                past.contest(r, people[i % 8], past.at(21), "OVERTURNED");
            }
        }
        past.refusals(a, "PROTECTED_GROUND", "RELIGION_OR_BELIEF", past.day, 6);
        past.refusals(c, "PROTECTED_GROUND", "RELIGION_OR_BELIEF", past.day, 1);
        past.refusals(a, "PROTECTED_GROUND", "HEALTH", past.day, 1);
        past.refusals(a, "PROTECTED_GROUND", "HEALTH", past.day.plusDays(1), 9);
        past.refusals(a, "RULE_OUTSIDE_AGENCY_SCOPE", "", past.day, 30);
        return Map.of("a", a, "b", b, "c", c);
    }

    @Test
    void theReportOfADayCountsExactlyThatDaysRowsAndSuppressesSmallCountsAndTheirRates() {
        Map<String, String> agency = pastDayOfThreeAgencies();
        rewards.answerTotals(1234, 3, 0, 40);

        TransparencyReport r = report(past.start, past.end);

        assertThat(r.getPeriod()).isEqualTo(period(past.start, past.end));
        assertThat(r.getSuppressionThreshold()).isEqualTo(5);
        assertThat(r.getReportsAccepted()).isEqualTo(shown(24));
        assertThat(r.getReportsWithdrawn()).isEqualTo(suppressed());
        assertThat(r.getReportsByCategoryList().stream().collect(Collectors.toMap(CategoryCount::getCategory,
                CategoryCount::getReports))).containsOnly(
                        Map.entry(ConductCategory.VOLUNTEERING, shown(17)),
                        Map.entry(ConductCategory.LEARNING, shown(5)),
                        Map.entry(ConductCategory.COMMUNITY_IMPROVEMENT, suppressed()),
                        Map.entry(ConductCategory.CAREGIVING, shown(0)),
                        Map.entry(ConductCategory.ENVIRONMENT, shown(0)),
                        Map.entry(ConductCategory.CIVIC_PARTICIPATION, shown(0)),
                        Map.entry(ConductCategory.PROGRAM_CONDUCT, shown(0)));

        assertThat(r.getContestsOpened()).isEqualTo(shown(8));
        assertThat(r.getContestsOverturned()).isEqualTo(shown(7));
        assertThat(r.getContestsUpheld()).isEqualTo(suppressed());
        assertThat(r.getContestRate().getSuppressed()).isFalse();
        assertThat(r.getContestRate().getValue()).isCloseTo(8.0 / 24, within(1e-9));
        // 7 overturned of 8 decided would give away the single upheld contest.
        assertThat(r.getContestOverturnRate()).isEqualTo(SuppressibleRate.newBuilder().setSuppressed(true).build());

        Map<String, AgencyFigures> agencies = r.getReportsByAgencyList().stream()
                .collect(Collectors.toMap(AgencyFigures::getAgencyId, Function.identity()));
        AgencyFigures a = agencies.get(agency.get("a"));
        assertThat(a.getDisplayName()).isEqualTo("Agency a");
        assertThat(a.getReports()).isEqualTo(shown(12));
        assertThat(a.getContests()).isEqualTo(shown(6));
        assertThat(a.getOverturns()).isEqualTo(shown(5));
        assertThat(a.getOverturnRate().getValue()).isCloseTo(5.0 / 12, within(1e-9));
        AgencyFigures b = agencies.get(agency.get("b"));
        assertThat(b.getReports()).isEqualTo(suppressed());
        assertThat(b.getContests()).isEqualTo(shown(0));
        assertThat(b.getOverturnRate().getSuppressed()).isTrue();
        AgencyFigures c = agencies.get(agency.get("c"));
        assertThat(c.getReports()).isEqualTo(shown(10));
        assertThat(c.getOverturns()).isEqualTo(suppressed());
        assertThat(c.getOverturnRate().getSuppressed()).isTrue();

        assertThat(r.getRefusalsByProtectedGroundList().stream().collect(Collectors.toMap(GroundRefusals::getGround,
                GroundRefusals::getRefusals))).hasSize(ProtectedGround.values().length - 2)
                .containsEntry(ProtectedGround.RELIGION_OR_BELIEF, shown(7))
                .containsEntry(ProtectedGround.HEALTH, suppressed())
                .containsEntry(ProtectedGround.SPEECH, shown(0));

        assertThat(r.getParticipantsEnrolled()).isEqualTo(shown(7));
        assertThat(r.getPointsIssued()).isEqualTo(shown(1234));
        assertThat(r.getPointsRedeemed()).isEqualTo(suppressed());
        assertThat(r.getPointsExpired()).isEqualTo(shown(0));
        assertThat(r.getPointsClawedBack()).isEqualTo(shown(40));
        assertThat(rewards.totalsAsked()).extracting(q -> q.getPeriod())
                .containsExactly(period(past.start, past.end));
        assertThat(rewardsStandIn.verifiedCallers()).contains("GetPeriodTotals by reports-service");
    }

    @Test
    void theNextDayHoldsOnlyItsOwnRows() {
        Map<String, String> agency = pastDayOfThreeAgencies();
        TransparencyReport next = report(past.end, past.end.plus(1, ChronoUnit.DAYS));
        assertThat(next.getReportsAccepted()).isEqualTo(suppressed());
        assertThat(next.getContestsOpened()).isEqualTo(suppressed());
        assertThat(next.getRefusalsByProtectedGroundList()).filteredOn(g -> g.getGround() == ProtectedGround.HEALTH)
                .singleElement().extracting(GroundRefusals::getRefusals).isEqualTo(shown(9));
        assertThat(next.getReportsByAgencyList()).filteredOn(f -> f.getAgencyId().equals(agency.get("a")))
                .singleElement().extracting(AgencyFigures::getReports).isEqualTo(shown(0));
        assertThat(next.getParticipantsEnrolled()).isEqualTo(shown(7));
    }

    @Test
    void aPeriodMustBeWholeUtcDaysInOrderAndBounded() {
        Instant day = past.start;
        for (TimeRange bad : new TimeRange[] {TimeRange.getDefaultInstance(),
            TimeRange.newBuilder().setStart(ts(day)).build(),
            period(day.plusSeconds(1), day.plus(1, ChronoUnit.DAYS)),
            period(day, day.plus(1, ChronoUnit.DAYS).plusNanos(1000)),
            period(day, day),
            period(day.plus(2, ChronoUnit.DAYS), day),
            period(day, day.plus(367, ChronoUnit.DAYS)),
            TimeRange.newBuilder().setStart(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).setEnd(ts(day))
                    .build()}) {
            assertThatThrownBy(() -> BearerAuth.as(transparency, DemoTokens.participantPat()).getTransparencyReport(
                    GetTransparencyReportRequest.newBuilder().setPeriod(bad).build()))
                    .as(bad.toString()).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(badRequestFields(e)).containsExactly("period");
                    });
        }
        assertThat(report(day, day.plus(366, ChronoUnit.DAYS)).getPeriod().getEnd().getSeconds())
                .isEqualTo(day.plus(366, ChronoUnit.DAYS).getEpochSecond());
        assertThat(rewards.totalsAsked()).hasSize(1);
    }

    @Test
    void withoutRewardsServiceThereIsNoReportAtAll() {
        rewardsStandIn.close();
        assertThatThrownBy(() -> report(past.start, past.end)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static java.util.List<String> badRequestFields(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(BadRequest.class))
                .flatMap(d -> {
                    try {
                        return d.unpack(BadRequest.class).getFieldViolationsList().stream();
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new IllegalStateException(ex);
                    }
                }).map(BadRequest.FieldViolation::getField).toList();
    }
}
