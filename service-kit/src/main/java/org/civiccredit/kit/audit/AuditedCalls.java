package org.civiccredit.kit.audit;

import com.google.protobuf.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Audits the calls that are idempotent by their natural id (a report or participant id) rather than by their
 * idempotency key, as {@link org.civiccredit.kit.idempotency.IdempotentCalls} audits the others: the call and its
 * audit entry commit in one transaction (begun here, so the adapter replies after the commit), and the entry is
 * appended only when the call changed something, so a redelivery adds none and a refusal rolls back both.
 */
@ApplicationScoped
public class AuditedCalls {

    @Inject
    AuditLog audit;

    /**
     * Runs {@code change}, answers with {@code answer} of its result, and records the call when it changed state.
     *
     * @param call the RPC's name, the entry's action, e.g. {@code "AwardPoints"}
     * @param request the request; its record ids (never a participant's) name what the entry touched
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public <D, T extends Message> T run(String call, Message request, Supplier<Outcome<D>> change,
            Function<D, T> answer) {
        Outcome<D> outcome = change.get();
        T response = answer.apply(outcome.value());
        if (outcome.changed()) {
            audit.recordCall(call, request, response);
        }
        return response;
    }
}
