package org.civiccredit.reports.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.reports.domain.CatalogRule;
import org.civiccredit.reports.service.RuleCatalog;

/** Data the intake tests stand on: the demo agencies with fixed scopes, a rule table, enrolled participants. */
public final class IntakeFixtures {

    /** The rule table version the intake tests use; scoring-service is not reachable from these tests. */
    public static final long TABLE_VERSION = 7;

    private IntakeFixtures() {
    }

    public static void ruleTable(RuleCatalog catalog) {
        catalog.remember(TABLE_VERSION, List.of(
                new CatalogRule(TABLE_VERSION, "VOL_HOUR", org.civiccredit.kit.domain.ConductCategory.VOLUNTEERING,
                        "Volunteering hour", true, 8),
                new CatalogRule(TABLE_VERSION, "FOOD_SORT",
                        org.civiccredit.kit.domain.ConductCategory.COMMUNITY_IMPROVEMENT, "Sorting session", false, 0),
                new CatalogRule(TABLE_VERSION, "LEARN", org.civiccredit.kit.domain.ConductCategory.LEARNING,
                        "Reading tutor session", false, 0)));
    }

    /** greenway-volunteers: VOLUNTEERING and COMMUNITY_IMPROVEMENT; northside-food-bank: the same. */
    public static void agencies(AgencyServiceBlockingStub agencies) {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        register(admin, "greenway-volunteers", "agency-greenway");
        register(admin, "northside-food-bank", "agency-northside");
    }

    private static void register(AgencyServiceBlockingStub admin, String agencyId, String clientId) {
        try {
            admin.registerAgency(RegisterAgencyRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                    .setAgencyId(agencyId).setDisplayName(agencyId).setKeycloakClientId(clientId)
                    .addAllowedCategories(ConductCategory.VOLUNTEERING)
                    .addAllowedCategories(ConductCategory.COMMUNITY_IMPROVEMENT).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
        }
    }

    /** A person new to the programme, enrolled with the current consent; returns [participant id, token]. */
    public static String[] enrolledParticipant(EnrollmentServiceBlockingStub enrollment) {
        TestParticipants.TestUser user = TestParticipants.create();
        String id = BearerAuth.as(enrollment, user.token()).enroll(EnrollRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setConsentVersion(1).build())
                .getEnrollment().getParticipantId();
        return new String[] {id, user.token()};
    }
}
