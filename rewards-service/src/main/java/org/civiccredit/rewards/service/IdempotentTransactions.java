package org.civiccredit.rewards.service;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.function.Supplier;
import org.civiccredit.kit.idempotency.IdempotentCalls;

/**
 * Runs a mutating call once per caller and idempotency key in its own transaction, the key row and the change
 * together, and returns only after the commit: a gRPC adapter answers the client after this returns, so a
 * client is never told of a change that could still roll back (or is not yet visible to its next call).
 */
@ApplicationScoped
public class IdempotentTransactions {

    @Inject
    IdempotentCalls idempotent;

    @Transactional
    public <T extends Message> T once(String call, String key, Message request, Parser<T> parser,
            Supplier<T> action) {
        return idempotent.onceForCaller(call, key, request, parser, action);
    }
}
