package org.civiccredit.scoring.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.util.List;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.ListRuleTableVersionsRequest;
import org.civiccredit.api.scoring.v1.ListRuleTableVersionsResponse;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.scoring.domain.RuleTableSummary;
import org.civiccredit.scoring.service.RuleTables;

/** gRPC adapter of RuleTableService: admins publish whole tables; any authenticated caller reads them. */
@GrpcService
@Authenticated
public class RuleTableGrpcService extends RuleTableServiceGrpc.RuleTableServiceImplBase {

    private static final String VERSIONS_LIST = "rule-table-versions";

    @Inject
    RuleTables ruleTables;

    @Inject
    RuleTablePublication publication;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void publishRuleTable(PublishRuleTableRequest request, StreamObserver<RuleTable> response) {
        RuleTable published = idempotent.onceForCaller("PublishRuleTable", request.getIdempotencyKey(), request,
                RuleTable.parser(), () -> publication.publish(request, caller.subject()));
        response.onNext(published);
        response.onCompleted();
    }

    @Override
    @Blocking
    public void getRuleTable(GetRuleTableRequest request, StreamObserver<RuleTable> response) {
        if (request.getVersion() < 0) {
            throw Refusal.invalid("version", "0 (current) or a published version number");
        }
        RuleTable table = ruleTables.get(request.getVersion()).map(RuleTableMapping::toProto)
                .orElseThrow(() -> Refusal.notFound(request.getVersion() == 0
                        ? "no rule table has been published yet"
                        : "no rule table version " + request.getVersion()));
        response.onNext(table);
        response.onCompleted();
    }

    @Override
    @Blocking
    public void listRuleTableVersions(ListRuleTableVersionsRequest request,
            StreamObserver<ListRuleTableVersionsResponse> response) {
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), VERSIONS_LIST);
        long before;
        try {
            before = page.first() ? 0 : Long.parseLong(page.cursor());
        } catch (NumberFormatException e) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
        List<RuleTableSummary> versions = ruleTables.list(before, page.size() + 1);
        ListRuleTableVersionsResponse.Builder b = ListRuleTableVersionsResponse.newBuilder();
        versions.stream().limit(page.size()).forEach(v -> b.addVersions(RuleTableMapping.toProto(v)));
        if (versions.size() > page.size()) {
            b.setNextPageToken(Page.token(VERSIONS_LIST, String.valueOf(versions.get(page.size() - 1).version())));
        }
        response.onNext(b.build());
        response.onCompleted();
    }
}
