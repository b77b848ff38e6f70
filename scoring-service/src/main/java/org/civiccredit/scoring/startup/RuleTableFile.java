package org.civiccredit.scoring.startup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;

/**
 * The rule table file format, so that a table can be kept, reviewed and published as a file: a
 * PublishRuleTableRequest in the contract's JSON mapping (fields as in proto JSON, enum values by name, int64 as
 * numbers, durations as {@code "<seconds>s"}), written as JSON or YAML, and without an idempotency key, which is
 * derived from the table itself so that publishing the same table again, from either format, is a replay.
 * Unknown fields are refused, so that a misspelt field is noticed instead of dropped.
 */
public final class RuleTableFile {

    /** A file that is no rule table file: unreadable, malformed, of another format, or with unknown fields. */
    public static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final JsonFormat.Parser PROTO_JSON = JsonFormat.parser();

    private RuleTableFile() {
    }

    /** Reads a {@code .yaml}, {@code .yml} or {@code .json} rule table file, with its derived idempotency key. */
    public static PublishRuleTableRequest read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!yaml && !name.endsWith(".json")) {
            throw new Unreadable(file + ": a rule table file is named *.yaml, *.yml or *.json");
        }
        try {
            return parse(Files.readString(file), yaml, file.toString());
        } catch (IOException e) {
            throw new Unreadable(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Parses a rule table written as YAML ({@code yaml}) or JSON; {@code source} names it in errors. */
    public static PublishRuleTableRequest parse(String text, boolean yaml, String source) {
        JsonNode tree;
        try {
            tree = (yaml ? YAML : JSON).readTree(text);
        } catch (JsonProcessingException e) {
            throw new Unreadable(source + ": not valid " + (yaml ? "YAML" : "JSON") + " (" + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr()) + ")");
        }
        if (!(tree instanceof ObjectNode table)) {
            throw new Unreadable(source + ": must hold one rule table, a mapping with rules, tiers and notes");
        }
        if (table.has("idempotencyKey") || table.has("idempotency_key")) {
            throw new Unreadable(source + ": has an idempotency key; a rule table file has none, since its key is"
                    + " derived from the table");
        }
        JsonNode rules = table.remove("rules");
        PublishRuleTableRequest.Builder request = PublishRuleTableRequest.newBuilder();
        merge(table, request, source);
        if (rules != null && !rules.isArray()) {
            throw new Unreadable(source + ": rules must be a list of rules");
        }
        if (rules != null) {
            for (int i = 0; i < rules.size(); i++) {
                JsonNode rule = rules.get(i);
                merge(rule, request.addRulesBuilder(), source + ": rules[" + i + "] (code "
                        + rule.path("code").asText("?") + ")");
            }
        }
        return request.setIdempotencyKey(idempotencyKey(request.build())).build();
    }

    /**
     * {@code rule-table-} and the SHA-256 of the table's protobuf encoding, without its key: the same
     * rules, tiers and notes give the same key whichever format and layout the file had.
     */
    public static String idempotencyKey(PublishRuleTableRequest table) {
        // The table's messages have no map fields, so their encoding is canonical: same table, same bytes.
        byte[] keyless = table.toBuilder().clearIdempotencyKey().build().toByteArray();
        try {
            return "rule-table-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(keyless));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void merge(JsonNode node, com.google.protobuf.Message.Builder into, String where) {
        if (!node.isObject()) {
            throw new Unreadable(where + ": must be a mapping of fields");
        }
        try {
            PROTO_JSON.merge(node.toString(), into);
        } catch (InvalidProtocolBufferException e) {
            throw new Unreadable(where + ": " + e.getMessage());
        }
    }
}
