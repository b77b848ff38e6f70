package org.civiccredit.scoring.startup;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.PublishedRuleTable;
import org.civiccredit.scoring.grpc.RuleTablePublication;
import org.civiccredit.scoring.service.RuleTables;
import org.jboss.logging.Logger;

/**
 * Publishes the rule table file named by {@code scoring.rule-table.load-on-start} when the service starts, so that
 * a demo or a first deployment comes up with its table: through PublishRuleTable's validation, at most once per
 * table content however many instances start at once or restart, and never over an identical current table. A
 * publication is audited like an administrator's (by the start-up as its actor). A refused file stops the
 * start-up, with each offending rule in the log.
 */
@ApplicationScoped
public class RuleTableLoader {

    /** What loading a file did. */
    public enum Outcome {
        /** The file's table is now the current version. */
        PUBLISHED,
        /** The current table already had the file's rules, tiers and notes: nothing was published. */
        ALREADY_CURRENT,
        /** This table was published from a file before and a newer table since: it is not published again. */
        PUBLISHED_BEFORE
    }

    /** The outcome and the version that holds the file's table. */
    public record Loaded(Outcome outcome, long version) {
    }

    /** Idempotency scope of file publications: keys of administrators' calls never meet these. */
    static final String SCOPE = "load-on-start/PublishRuleTable";

    /** Who published a table from a file, as rule tables record it. */
    public static final String PUBLISHER = "scoring-service:load-on-start";

    /** Who published a table from a file, as the audit log records it. */
    public static final String AUDIT_ACTOR = "system:rule-table-load-on-start";

    private static final Logger LOG = Logger.getLogger(RuleTableLoader.class);
    private static final Pattern RULE_FIELD = Pattern.compile("^rules\\[(\\d+)]");

    @Inject
    ScoringConfig config;

    @Inject
    RuleTables ruleTables;

    @Inject
    RuleTablePublication publication;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    AuditLog audit;

    void onStart(@Observes StartupEvent started) {
        Optional<String> file = config.ruleTable().loadOnStart();
        if (file.isPresent()) {
            Loaded loaded = load(Path.of(file.get()));
            LOG.infof("rule table file %s: %s", file.get(), switch (loaded.outcome()) {
                case PUBLISHED -> "published as version " + loaded.version();
                case ALREADY_CURRENT -> "already the current table (version " + loaded.version() + ")";
                case PUBLISHED_BEFORE -> "published before as version " + loaded.version()
                        + "; a newer table published since stays current";
            });
        }
    }

    /**
     * Publishes a rule table file unless the current table already is its table or it was published from a file
     * before.
     *
     * @throws RuleTableFile.Unreadable when the file is no rule table file
     * @throws IllegalStateException when the table is refused; the message names each offending rule
     */
    public Loaded load(Path file) {
        PublishRuleTableRequest table = RuleTableFile.read(file);
        try {
            return QuarkusTransaction.requiringNew().call(() -> publishOnce(table));
        } catch (Refusal refused) {
            List<String> problems = refused.violations().isEmpty() ? List.of(refused.getMessage())
                    : refused.violations().stream().map(v -> named(table, v.field()) + ": " + v.description()).toList();
            problems.forEach(problem -> LOG.errorf("rule table file %s refused: %s", file, problem));
            throw new IllegalStateException("rule table file " + file + " refused (" + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems") + "; nothing was published):\n  "
                    + String.join("\n  ", problems));
        }
    }

    private Loaded publishOnce(PublishRuleTableRequest table) {
        // Held until the commit: instances starting at once take turns, and the second finds the first's table.
        ruleTables.lockPublications();
        Optional<PublishedRuleTable> current = publication.currentIfSame(table);
        if (current.isPresent()) {
            return new Loaded(Outcome.ALREADY_CURRENT, current.get().version());
        }
        boolean[] publishedNow = {false};
        RuleTable published = idempotent.once(SCOPE, table.getIdempotencyKey(), table, RuleTable.parser(), () -> {
            publishedNow[0] = true;
            RuleTable publishing = publication.publish(table, PUBLISHER);
            audit.record("PublishRuleTable", AUDIT_ACTOR, "rule_table_version=" + publishing.getVersion());
            return publishing;
        });
        return new Loaded(publishedNow[0] ? Outcome.PUBLISHED : Outcome.PUBLISHED_BEFORE, published.getVersion());
    }

    /** A violation's field with the code of its rule: {@code rules[3] (VOL_HOUR).category}. */
    private static String named(PublishRuleTableRequest table, String field) {
        Matcher rule = RULE_FIELD.matcher(field);
        if (!rule.find()) {
            return field;
        }
        int index = Integer.parseInt(rule.group(1));
        String code = index < table.getRulesCount() ? table.getRules(index).getCode() : "";
        return rule.group() + " (" + (code.isBlank() ? "no code" : code) + ")" + field.substring(rule.end());
    }
}
