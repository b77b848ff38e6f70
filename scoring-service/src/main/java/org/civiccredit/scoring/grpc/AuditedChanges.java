package org.civiccredit.scoring.grpc;

import com.google.protobuf.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.scoring.domain.Outcome;

/**
 * Runs a call of ScoringInternalService in one transaction with its audit entry. These calls are idempotent on
 * their natural id (report or participant id), not through IdempotentCalls (which audits the calls it runs), so
 * the entry is appended here, and only when the call changed something: a redelivery adds none, and a refusal
 * rolls back the change and its entry together. Owns the transaction, so the adapter answers after the commit.
 */
@ApplicationScoped
public class AuditedChanges {

    @Inject
    AuditLog audit;

    /**
     * @param call     the RPC's name, the entry's action
     * @param request  the whole request (the audit log takes only its record ids)
     * @param change   the change, reporting whether it changed anything
     * @param response the answer for the change's result
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public <R, T extends Message> T run(String call, Message request, Supplier<Outcome<R>> change,
            Function<R, T> response) {
        Outcome<R> outcome = change.get();
        T answer = response.apply(outcome.result());
        if (outcome.changed()) {
            audit.recordCall(call, request, answer);
        }
        return answer;
    }
}
