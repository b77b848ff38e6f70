package org.civiccredit.kit.audit;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import io.smallrye.common.annotation.Blocking;

/**
 * Lets an admin verify this service's audit chain over HTTP ({@code civic audit verify} calls it on every
 * service): walks the chain and answers with the first broken link, if any. Blocking: it reads the whole log.
 */
@Path("/api/v1/admin/audit/verification")
@RolesAllowed("admin")
public class AuditResource {

    @Inject
    AuditLog audit;

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    public AuditVerification verify() {
        return audit.verify();
    }
}
