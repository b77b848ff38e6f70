package org.civiccredit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;

/**
 * Reads rule table files for {@code civic rule-table publish}: a PublishRuleTableRequest in the contract's JSON
 * mapping, as JSON or as YAML (the same tree), without an idempotency key. The key is derived from the table, so
 * publishing a file again, or the same table in the other format, replays the first publication. The format is
 * described in the README; scoring-service reads the same files at start-up.
 */
final class RuleTableFiles {

    /** A file that is no rule table file: the message says why. */
    static final class Unreadable extends IllegalArgumentException {
        Unreadable(String message) {
            super(message);
        }
    }

    private static final YAMLMapper YAML = new YAMLMapper();

    private RuleTableFiles() {
    }

    /** The file's table with its derived key; Unreadable says what is wrong with the file. */
    static PublishRuleTableRequest read(Path file) {
        String name = file.getFileName().toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new Unreadable("cannot read " + file + ": " + e.getMessage());
        }
        String json;
        if (name.endsWith(".json")) {
            json = text;
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            try {
                // YAML is read as the JSON tree it denotes; the protobuf JSON parser then checks every field.
                JsonNode tree = YAML.readTree(text);
                json = tree == null ? "" : tree.toString();
            } catch (JsonProcessingException e) {
                throw new Unreadable(file + " is not valid YAML: " + e.getOriginalMessage());
            }
        } else {
            throw new Unreadable(file + ": name a rule table file *.yaml, *.yml or *.json");
        }
        PublishRuleTableRequest.Builder table = PublishRuleTableRequest.newBuilder();
        try {
            JsonFormat.parser().merge(json, table);
        } catch (InvalidProtocolBufferException e) {
            throw new Unreadable(file + " is not a rule table: " + e.getMessage());
        }
        if (!table.getIdempotencyKey().isEmpty()) {
            throw new Unreadable(file + " has an idempotencyKey; a rule table file has none (the key"
                    + " is derived from the table)");
        }
        return table.setIdempotencyKey(keyOf(table.build())).build();
    }

    /** {@code rule-table-} and the SHA-256 of the table's encoding (no map fields: the encoding is canonical). */
    static String keyOf(PublishRuleTableRequest keyless) {
        try {
            return "rule-table-" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(keyless.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
