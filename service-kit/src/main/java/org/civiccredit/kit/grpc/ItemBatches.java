package org.civiccredit.kit.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.persistence.BatchScope;
import org.jboss.logging.Logger;

/**
 * Applies the items of a batched internal call (ApplyReportBatch, AwardPointsBatch): every item as its single
 * call would be applied, with the answer or the refusal that call would have given. The items normally commit
 * together in one transaction (one commit for the batch). If any item is refused or fails, nothing of that
 * transaction was committed and each item is applied again in a transaction of its own, so one item's refusal
 * never undoes or holds back another. Items must be idempotent on their natural id, as the single calls are.
 */
@ApplicationScoped
public class ItemBatches {

    /** Most items a batched call takes. */
    public static final int MAX_ITEMS = org.civiccredit.kit.outbox.OutboxDelivery.MAX_BATCH;

    private static final Logger LOG = Logger.getLogger(ItemBatches.class);

    @Inject
    GrpcErrorMapping errors;

    @Inject
    BatchScope batch;

    /** One item's outcome: the single call's answer, or (when {@code refusal} is set) its status. */
    public record Item<T>(T answer, com.google.rpc.Status refusal) {

        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * Checks the batch itself: a key and 1 to {@link #MAX_ITEMS} items (field {@code itemsField}); refuses the
     * whole call with INVALID_ARGUMENT otherwise.
     */
    public static void requireBatch(String idempotencyKey, int items, String itemsField) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(idempotencyKey, v);
        v.require(items >= 1 && items <= MAX_ITEMS, itemsField, "1 to " + MAX_ITEMS + " items");
        v.throwIfAny();
    }

    /**
     * Applies {@code one} to each item (it checks the item, changes state and answers, as the single call does)
     * and returns one outcome per item, in order.
     */
    public <I, T> List<Item<T>> apply(List<I> items, Function<I, T> one) {
        return apply(items, all -> {
        }, one);
    }

    /**
     * As {@link #apply(List, Function)}, in a {@link BatchScope}: when the items are applied together, {@code load}
     * first reads what they all need in one go (it must tolerate items {@code one} would refuse), and the appends
     * the items defer are written once the last item is done. Applied one by one, the items read and write as
     * their single calls do.
     */
    public <I, T> List<Item<T>> apply(List<I> items, Consumer<List<I>> load, Function<I, T> one) {
        try {
            List<T> answers = QuarkusTransaction.requiringNew().call(() -> {
                batch.begin();
                load.accept(items);
                List<T> all = new ArrayList<>(items.size());
                for (I item : items) {
                    all.add(one.apply(item));
                }
                batch.finish();
                return all;
            });
            List<Item<T>> outcomes = new ArrayList<>(answers.size());
            answers.forEach(answer -> outcomes.add(new Item<>(answer, null)));
            return outcomes;
        } catch (RuntimeException e) {
            LOG.debugf(e, "batch of %d items not applied together; applying them one by one", items.size());
        }
        List<Item<T>> outcomes = new ArrayList<>(items.size());
        for (I item : items) {
            try {
                outcomes.add(new Item<>(QuarkusTransaction.requiringNew().call(() -> one.apply(item)), null));
            } catch (RuntimeException e) {
                outcomes.add(new Item<>(null, statusOf(e)));
            }
        }
        return outcomes;
    }

    /** The status a single call refused or failed with {@code failure} would have given its caller. */
    public com.google.rpc.Status statusOf(Throwable failure) {
        StatusRuntimeException mapped = errors.toStatusRuntimeException(failure);
        com.google.rpc.Status status = StatusProto.fromThrowable(mapped);
        if (status != null) {
            return status;
        }
        return com.google.rpc.Status.newBuilder().setCode(mapped.getStatus().getCode().value())
                .setMessage(mapped.getStatus().getDescription() == null ? "" : mapped.getStatus().getDescription())
                .build();
    }

    /**
     * The outcomes of a batched call for its sender, one per result in order: {@code null} for an answered item,
     * otherwise the exception its single call would have thrown. {@code refusalOf} gives a result's ItemRefusal,
     * or {@code null} when the item was answered; an ItemRefusal has the fields of google.rpc.Status (same numbers
     * and types), so it is read as one.
     */
    public static <R> List<StatusRuntimeException> outcomes(List<R> results, Function<R, Message> refusalOf) {
        List<StatusRuntimeException> outcomes = new ArrayList<>(results.size());
        for (R result : results) {
            Message refusal = refusalOf.apply(result);
            outcomes.add(refusal == null ? null : asException(refusal));
        }
        return outcomes;
    }

    /**
     * Fills {@code refusal}, an ItemRefusal builder, with {@code status}: an ItemRefusal has the fields of
     * google.rpc.Status (same numbers and types), so it is written as one, as {@link #asException} reads it.
     */
    public static <B extends Message.Builder> B refusal(com.google.rpc.Status status, B refusal) {
        try {
            refusal.mergeFrom(status.toByteString());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an ItemRefusal must mirror google.rpc.Status", e);
        }
        return refusal;
    }

    /** The exception the single call would have thrown for an item refused with {@code refusal} (an ItemRefusal). */
    public static StatusRuntimeException asException(Message refusal) {
        try {
            return StatusProto.toStatusRuntimeException(com.google.rpc.Status.parseFrom(refusal.toByteString()));
        } catch (InvalidProtocolBufferException e) {
            return Status.INTERNAL.withDescription("unreadable item refusal").withCause(e).asRuntimeException();
        }
    }

    /** The requests of a batch's outbox rows; unreadable bytes fail the whole call with INTERNAL. */
    public static <T> List<T> parse(List<byte[]> payloads, Parser<T> parser) {
        List<T> requests = new ArrayList<>(payloads.size());
        try {
            for (byte[] payload : payloads) {
                requests.add(parser.parseFrom(payload));
            }
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("unreadable outbox payload").withCause(e).asRuntimeException();
        }
        return requests;
    }
}
