package org.civiccredit.scoring.grpc;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Optional;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.scoring.domain.PublishedRuleTable;
import org.civiccredit.scoring.service.RuleTables;

/**
 * PublishRuleTable's one way from the contract's request to a new version, shared by the RPC and the rule table
 * file published at start-up, so that a file gets exactly the validation an administrator's call gets.
 */
@ApplicationScoped
public class RuleTablePublication {

    @Inject
    RuleTables ruleTables;

    /**
     * Validates the request's table as a whole (refusing it with every offending rule named) and publishes it as
     * the next version. Idempotency is the caller's: this publishes every time it is called.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public RuleTable publish(PublishRuleTableRequest request, String publishedBy) {
        Violations violations = new Violations();
        var rules = RuleTableMapping.toDomain(request.getRulesList(), violations);
        return RuleTableMapping.toProto(ruleTables.publish(rules,
                RuleTableMapping.tiersToDomain(request.getTiersList()), request.getNotes(), publishedBy, violations));
    }

    /** The current table, when it holds exactly the request's rules, tiers and notes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<PublishedRuleTable> currentIfSame(PublishRuleTableRequest request) {
        return ruleTables.get(0).filter(current -> current.notes().equals(request.getNotes())
                && current.tiers().equals(RuleTableMapping.tiersToDomain(request.getTiersList()))
                && current.rules().equals(RuleTableMapping.toDomain(request.getRulesList(), new Violations())));
    }
}
