package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.civiccredit.api.rewards.v1.GetMerchantRequest;
import org.civiccredit.api.rewards.v1.GetSettlementStatementRequest;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsRequest;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsResponse;
import org.civiccredit.api.rewards.v1.ListOffersRequest;
import org.civiccredit.api.rewards.v1.ListOffersResponse;
import org.civiccredit.api.rewards.v1.Merchant;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc;
import org.civiccredit.api.rewards.v1.MerchantStatus;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.PublishOfferRequest;
import org.civiccredit.api.rewards.v1.RegisterMerchantRequest;
import org.civiccredit.api.rewards.v1.ReinstateMerchantRequest;
import org.civiccredit.api.rewards.v1.RetireOfferRequest;
import org.civiccredit.api.rewards.v1.SettlementStatement;
import org.civiccredit.api.rewards.v1.SuspendMerchantRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.domain.LimitPeriod;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.rewards.service.Merchants;
import org.civiccredit.rewards.service.Offers;
import org.civiccredit.rewards.service.Redemptions;

/**
 * gRPC adapter of MerchantService: administrators onboard, suspend and reinstate merchants; a merchant reads its
 * own record, publishes and retires offers, lists its own redemptions and reads its settlement statements.
 */
@GrpcService
@Authenticated
public class MerchantGrpcService extends MerchantServiceGrpc.MerchantServiceImplBase {

    @Inject
    Merchants merchants;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Inject
    Offers offers;

    @Inject
    Redemptions redemptions;

    @Inject
    RewardsConfig config;

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void registerMerchant(RegisterMerchantRequest request, StreamObserver<Merchant> response) {
        response.onNext(idempotent.onceForCaller("RegisterMerchant", request.getIdempotencyKey(),
                request, Merchant.parser(), () -> toProto(merchants.register(request.getMerchantId(),
                        request.getDisplayName(), request.getKeycloakClientId()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed({"admin", "merchant"})
    public void getMerchant(GetMerchantRequest request, StreamObserver<Merchant> response) {
        String merchantId = request.getMerchantId();
        if (!caller.hasRole("admin")) {
            String own = caller.merchantId()
                    .orElseThrow(() -> Refusal.permissionDenied("the merchant token carries no merchant_id"));
            if (!merchantId.isEmpty() && !merchantId.equals(own)) {
                // Another merchant's record does not exist as far as this caller can tell.
                throw Refusal.notFound("no merchant " + merchantId);
            }
            merchantId = own;
        } else if (merchantId.isEmpty()) {
            throw Refusal.invalid("merchant_id", "required");
        }
        response.onNext(toProto(merchants.get(merchantId)));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void suspendMerchant(SuspendMerchantRequest request, StreamObserver<Merchant> response) {
        new Violations().require(!request.getMerchantId().isEmpty(), "merchant_id", "required").throwIfAny();
        response.onNext(idempotent.onceForCaller("SuspendMerchant", request.getIdempotencyKey(), request,
                Merchant.parser(), () -> toProto(merchants.suspend(request.getMerchantId(), request.getReason()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void reinstateMerchant(ReinstateMerchantRequest request, StreamObserver<Merchant> response) {
        new Violations().require(!request.getMerchantId().isEmpty(), "merchant_id", "required").throwIfAny();
        response.onNext(idempotent.onceForCaller("ReinstateMerchant", request.getIdempotencyKey(), request,
                Merchant.parser(), () -> toProto(merchants.reinstate(request.getMerchantId()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void publishOffer(PublishOfferRequest request, StreamObserver<Offer> response) {
        String merchantId = ownMerchantId();
        LimitPeriod period = RewardsMapping.limitPeriod(request.getLimitPeriod());
        Offers.Draft draft = new Offers.Draft(request.getTitle(), request.getDescription(), request.getPointsCost(),
                request.getMinimumTierName(), request.getStock(), request.getLimitPerParticipant(), period);
        response.onNext(idempotent.onceForCaller("PublishOffer", request.getIdempotencyKey(), request,
                Offer.parser(), () -> RewardsMapping.offer(offers.publish(merchantId, draft, Instant.now()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void retireOffer(RetireOfferRequest request, StreamObserver<Offer> response) {
        new Violations().require(!request.getOfferId().isEmpty(), "offer_id", "required").throwIfAny();
        String merchantId = ownMerchantId();
        response.onNext(idempotent.onceForCaller("RetireOffer", request.getIdempotencyKey(), request,
                Offer.parser(), () -> RewardsMapping.offer(offers.retire(merchantId, request.getOfferId(),
                        Instant.now()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    public void listOffers(ListOffersRequest request, StreamObserver<ListOffersResponse> response) {
        String merchantId = caller.hasRole("merchant") ? caller.merchantId().orElse(null) : null;
        String list = "offers:" + (merchantId == null ? "*" : "merchant:" + merchantId);
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Offers.Listing listing = offers.list(merchantId, page);
        ListOffersResponse.Builder b = ListOffersResponse.newBuilder();
        listing.offers().forEach(o -> b.addOffers(RewardsMapping.offer(o)));
        if (!listing.nextCursor().isEmpty()) {
            b.setNextPageToken(Page.token(list, listing.nextCursor()));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void listMyRedemptions(ListMyRedemptionsRequest request,
            StreamObserver<ListMyRedemptionsResponse> response) {
        String merchantId = ownMerchantId();
        Violations v = new Violations();
        Set<org.civiccredit.rewards.domain.RedemptionState> states = new TreeSet<>();
        for (int i = 0; i < request.getStatesCount(); i++) {
            var state = RewardsMapping.redemptionState(request.getStates(i));
            if (state == null) {
                v.add("states[" + i + "]", "a redemption state (HELD, CAPTURED, VOIDED or EXPIRED)");
            } else {
                states.add(state);
            }
        }
        Instant from = null;
        Instant to = null;
        if (request.hasReserved()) {
            from = request.getReserved().hasStart()
                    ? ProtoTime.instant(request.getReserved().getStart(), "reserved.start", v) : null;
            to = request.getReserved().hasEnd()
                    ? ProtoTime.instant(request.getReserved().getEnd(), "reserved.end", v) : null;
            v.require(from == null || to == null || !to.isBefore(from), "reserved", "end is before start");
        }
        v.throwIfAny();
        String list = "redemptions:" + merchantId + ":" + states + ":" + from + ":" + to;
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Redemptions.Listing listing = redemptions.list(merchantId, page, states, from, to, Instant.now());
        ListMyRedemptionsResponse.Builder b = ListMyRedemptionsResponse.newBuilder();
        listing.redemptions().forEach(r -> b.addRedemptions(RewardsMapping.redemption(r)));
        if (!listing.nextCursor().isEmpty()) {
            b.setNextPageToken(Page.token(list, listing.nextCursor()));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void getSettlementStatement(GetSettlementStatementRequest request,
            StreamObserver<SettlementStatement> response) {
        String merchantId = ownMerchantId();
        Violations v = new Violations();
        Instant[] period = RewardsMapping.requiredPeriod(request.hasPeriod(), request.getPeriod(),
                config.maxStatementPeriod(), v);
        v.throwIfAny();
        response.onNext(RewardsMapping.statement(merchants.statement(merchantId, period[0], period[1],
                Instant.now())));
        response.onCompleted();
    }

    private String ownMerchantId() {
        return caller.merchantId()
                .orElseThrow(() -> Refusal.permissionDenied("the merchant token carries no merchant_id"));
    }

    static Merchant toProto(org.civiccredit.rewards.domain.Merchant m) {
        Merchant.Builder b = Merchant.newBuilder()
                .setMerchantId(m.merchantId())
                .setDisplayName(m.displayName())
                .setKeycloakClientId(m.keycloakClientId())
                .setStatus(m.suspended() ? MerchantStatus.MERCHANT_STATUS_SUSPENDED
                        : MerchantStatus.MERCHANT_STATUS_ACTIVE)
                .setCreatedAt(ProtoTime.timestamp(m.createdAt()));
        if (m.suspended()) {
            b.setSuspensionReason(m.suspensionReason()).setSuspendedAt(ProtoTime.timestamp(m.suspendedAt()));
        }
        return b.build();
    }
}
