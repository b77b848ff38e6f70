package org.civiccredit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;

/**
 * {@code civic}: calls any Civic Credit v1 RPC with a JSON request and prints the JSON response, with a token
 * from Keycloak. The service's address follows from its package (reports 8081, scoring 8082, rewards 8083).
 */
public final class Civic {

    private static final String USAGE = """
            usage: civic call [options] <package.Service/Method> [json | @file]
                   civic rule-table publish [options] <file.yaml | file.json>
                   civic audit verify [options] [reports] [scoring] [rewards]
                   civic token [options]
            options:
              --as <client-id>     client-credentials token for this Keycloak client (default civic-admin-cli)
              --secret <secret>    its secret (default: $CIVIC_CLIENT_SECRET, else the demo realm file's)
              --user <name> --password <password>   password token through the public client civic-app
              --target <host:port> where to call (default by package: reports 8081, scoring 8082, rewards 8083)
              --issuer <url>       realm URL (default $CIVIC_ISSUER or http://127.0.0.1:8180/realms/civic-credit)
            rule-table publish: publishes a rule table file (format: README, "Rule table files") as admin;
              its idempotency key is derived from the table, so running it again changes nothing.
            audit verify: walks each named service's audit chain (default: all three) as admin and prints the
              first broken link, if any; exits 1 when a chain is broken or a service cannot be asked.
            examples:
              civic call civiccredit.scoring.v1.RuleTableService/GetRuleTable '{"version": 0}'
              civic rule-table publish deploy/demo/rule-table.yaml
            """;

    private static final Pattern RULE_FIELD = Pattern.compile("^rules\\[(\\d+)]");

    private static final Map<String, String> DEFAULT_TARGETS = Map.of(
            "reports", "127.0.0.1:8081", "scoring", "127.0.0.1:8082", "rewards", "127.0.0.1:8083");

    private Civic() {
    }

    public static void main(String[] argv) {
        try {
            System.exit(run(argv));
        } catch (RuleTableFiles.Unreadable e) {
            System.err.println("civic: " + e.getMessage());
            System.exit(1);
        } catch (IllegalArgumentException e) {
            System.err.println("civic: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (StatusRuntimeException e) {
            System.err.println("civic: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            printDetails(e, field -> field);
            System.exit(1);
        }
    }

    static int run(String[] argv) {
        Deque<String> args = new ArrayDeque<>(java.util.List.of(argv));
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        String command = args.removeFirst();
        Map<String, String> options = new LinkedHashMap<>();
        Deque<String> positional = new ArrayDeque<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            if (a.startsWith("--")) {
                if (args.isEmpty()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                options.put(a.substring(2), args.removeFirst());
            } else {
                positional.addLast(a);
            }
        }
        String issuer = options.getOrDefault("issuer",
                System.getenv().getOrDefault("CIVIC_ISSUER", "http://127.0.0.1:8180/realms/civic-credit"));
        Supplier<String> token = () -> token(issuer, options);
        return switch (command) {
            case "token" -> {
                System.out.println(token.get());
                yield 0;
            }
            case "rule-table" -> {
                if (positional.size() != 2 || !"publish".equals(positional.getFirst())) {
                    throw new IllegalArgumentException("rule-table takes: publish <file.yaml | file.json>");
                }
                PublishRuleTableRequest table = RuleTableFiles.read(Path.of(positional.getLast()));
                yield publishRuleTable(positional.getLast(), table, token.get(), options.get("target"));
            }
            case "audit" -> {
                if (positional.isEmpty() || !"verify".equals(positional.removeFirst())) {
                    throw new IllegalArgumentException("audit takes: verify [reports] [scoring] [rewards]");
                }
                yield AuditVerify.run(positional.isEmpty() ? java.util.List.of("reports", "scoring", "rewards")
                        : java.util.List.copyOf(positional), token.get(), options.get("target"), DEFAULT_TARGETS,
                        System.out);
            }
            case "call" -> {
                if (positional.isEmpty()) {
                    throw new IllegalArgumentException("which method?");
                }
                String method = positional.removeFirst();
                String json = positional.isEmpty() ? "{}" : positional.removeFirst();
                if (json.startsWith("@")) {
                    try {
                        json = Files.readString(Path.of(json.substring(1)));
                    } catch (IOException e) {
                        throw new IllegalArgumentException("cannot read " + json.substring(1) + ": " + e.getMessage());
                    }
                }
                call(method, json, token.get(), options.get("target"));
                yield 0;
            }
            default -> throw new IllegalArgumentException("unknown command " + command);
        };
    }

    static void call(String fullMethod, String json, String token, String target) {
        int slash = fullMethod.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("method must look like package.Service/Method: " + fullMethod);
        }
        String serviceName = fullMethod.substring(0, slash);
        Descriptors.MethodDescriptor method = serviceDescriptor(serviceName)
                .findMethodByName(fullMethod.substring(slash + 1));
        if (method == null) {
            throw new IllegalArgumentException(serviceName + " has no method " + fullMethod.substring(slash + 1));
        }
        DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
        try {
            JsonFormat.parser().merge(json, request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("request is not a valid " + method.getInputType().getFullName()
                    + ": " + e.getMessage());
        }
        String[] parts = serviceName.split("\\.");
        String address = target != null ? target : DEFAULT_TARGETS.get(parts.length > 1 ? parts[1] : "");
        if (address == null) {
            throw new IllegalArgumentException("no default address for " + serviceName + "; pass --target");
        }
        MethodDescriptor<DynamicMessage, DynamicMessage> rpc = MethodDescriptor
                .<DynamicMessage, DynamicMessage>newBuilder()
                .setType(method.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING
                        : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethod)
                .setRequestMarshaller(new Marshaller(method.getInputType()))
                .setResponseMarshaller(new Marshaller(method.getOutputType()))
                .build();
        ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            var authed = io.grpc.ClientInterceptors.intercept(channel, bearer(token));
            JsonFormat.Printer printer = JsonFormat.printer();
            if (method.isServerStreaming()) {
                Iterator<DynamicMessage> it = ClientCalls.blockingServerStreamingCall(authed, rpc,
                        CallOptions.DEFAULT, request.build());
                while (it.hasNext()) {
                    System.out.println(printer.print(it.next()));
                }
            } else {
                System.out.println(printer.print(ClientCalls.blockingUnaryCall(authed, rpc,
                        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request.build())));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Publishes a rule table read from a file through RuleTableService/PublishRuleTable, unless it already is the
     * current table, and says what happened; a refusal names each offending rule. Returns the exit code.
     */
    static int publishRuleTable(String file, PublishRuleTableRequest table, String token, String target) {
        String address = target != null ? target : DEFAULT_TARGETS.get("scoring");
        ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            RuleTableServiceGrpc.RuleTableServiceBlockingStub ruleTables = RuleTableServiceGrpc
                    .newBlockingStub(channel).withInterceptors(bearer(token)).withDeadlineAfter(60, TimeUnit.SECONDS);
            Optional<RuleTable> current = currentTable(ruleTables);
            if (current.isPresent() && current.get().getRulesList().equals(table.getRulesList())
                    && current.get().getTiersList().equals(table.getTiersList())
                    && current.get().getNotes().equals(table.getNotes())) {
                System.out.printf("%s: already the current rule table (version %d); nothing published%n", file,
                        current.get().getVersion());
                return 0;
            }
            long newestBefore = current.map(RuleTable::getVersion).orElse(0L);
            RuleTable published;
            try {
                published = ruleTables.publishRuleTable(table);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.INVALID_ARGUMENT) {
                    throw e;
                }
                System.err.println("civic: " + file + " refused; nothing was published:");
                printDetails(e, field -> withRuleCode(field, table));
                return 1;
            }
            if (published.getVersion() > newestBefore) {
                System.out.printf("%s: published as rule table version %d (%d rules, %d tiers)%n", file,
                        published.getVersion(), published.getRulesCount(), published.getTiersCount());
            } else {
                System.out.printf("%s: already published as rule table version %d on %s; nothing published"
                        + " (the current version is %d)%n", file, published.getVersion(),
                        Timestamps.toString(published.getPublishedAt()), newestBefore);
            }
            return 0;
        } finally {
            channel.shutdownNow();
        }
    }

    private static Optional<RuleTable> currentTable(RuleTableServiceGrpc.RuleTableServiceBlockingStub ruleTables) {
        try {
            return Optional.of(ruleTables.getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code rules[3].title} becomes {@code rules[3] (VOL_HOUR).title}: the rule's code, as the file has it. */
    static String withRuleCode(String field, PublishRuleTableRequest table) {
        Matcher rule = RULE_FIELD.matcher(field);
        if (!rule.find() || Integer.parseInt(rule.group(1)) >= table.getRulesCount()) {
            return field;
        }
        return rule.group() + " (" + table.getRules(Integer.parseInt(rule.group(1))).getCode() + ")"
                + field.substring(rule.end());
    }

    /** Prints a failure's field violations and reason, one a line; other details as they are. */
    private static void printDetails(StatusRuntimeException e, UnaryOperator<String> fieldName) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return;
        }
        for (Any detail : status.getDetailsList()) {
            try {
                if (detail.is(BadRequest.class)) {
                    detail.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> System.err.println(
                            "  " + fieldName.apply(v.getField()) + ": " + v.getDescription()));
                } else if (detail.is(ErrorInfo.class)) {
                    System.err.println("  reason: " + detail.unpack(ErrorInfo.class).getReason());
                } else {
                    System.err.println("  " + detail);
                }
            } catch (InvalidProtocolBufferException unreadable) {
                System.err.println("  " + detail);
            }
        }
    }

    private static io.grpc.ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** The generated stub of {@code civiccredit.<svc>.v1.<Service>} carries its descriptor. */
    static Descriptors.ServiceDescriptor serviceDescriptor(String serviceName) {
        String[] parts = serviceName.split("\\.");
        if (parts.length != 4 || !parts[0].equals("civiccredit")) {
            throw new IllegalArgumentException("not a Civic Credit service: " + serviceName);
        }
        String stub = "org.civiccredit.api." + parts[1] + "." + parts[2] + "." + parts[3] + "Grpc";
        try {
            io.grpc.ServiceDescriptor grpc = (io.grpc.ServiceDescriptor) Class.forName(stub)
                    .getMethod("getServiceDescriptor").invoke(null);
            return ((ProtoFileDescriptorSupplier) grpc.getSchemaDescriptor()).getFileDescriptor()
                    .findServiceByName(parts[3]);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("unknown service " + serviceName);
        }
    }

    static String token(String issuer, Map<String, String> options) {
        Map<String, String> form = new LinkedHashMap<>();
        if (options.containsKey("user")) {
            form.put("grant_type", "password");
            form.put("client_id", "civic-app");
            form.put("username", options.get("user"));
            form.put("password", options.getOrDefault("password", ""));
        } else {
            String client = options.getOrDefault("as", "civic-admin-cli");
            String secret = options.getOrDefault("secret", System.getenv("CIVIC_CLIENT_SECRET"));
            form.put("grant_type", "client_credentials");
            form.put("client_id", client);
            form.put("client_secret", secret != null ? secret : demoSecret(client));
        }
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(issuer + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalArgumentException("Keycloak refused the token request (" + r.statusCode() + "): "
                        + r.body());
            }
            return JsonParser.parseString(r.body()).getAsJsonObject().get("access_token").getAsString();
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak unreachable at " + issuer, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Demo convenience: the secret the repository's demo realm file gives a client. */
    static String demoSecret(String clientId) {
        Path realm = Path.of(System.getenv().getOrDefault("CIVIC_REALM_FILE",
                "deploy/keycloak/civic-credit-realm.json"));
        try {
            for (JsonElement c : JsonParser.parseString(Files.readString(realm)).getAsJsonObject()
                    .getAsJsonArray("clients")) {
                JsonObject client = c.getAsJsonObject();
                if (clientId.equals(client.get("clientId").getAsString()) && client.has("secret")) {
                    return client.get("secret").getAsString();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("no --secret given and no demo realm file at " + realm);
        }
        throw new IllegalArgumentException("no --secret given and the demo realm has no secret for " + clientId);
    }

    private record Marshaller(Descriptors.Descriptor type) implements MethodDescriptor.Marshaller<DynamicMessage> {
        @Override
        public InputStream stream(DynamicMessage value) {
            return new ByteArrayInputStream(value.toByteArray());
        }

        @Override
        public DynamicMessage parse(InputStream stream) {
            try {
                return DynamicMessage.parseFrom(type, stream);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
