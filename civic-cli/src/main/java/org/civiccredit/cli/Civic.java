package org.civiccredit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code civic}: calls any Civic Credit v1 RPC with a JSON request and prints the JSON response, with a token
 * from Keycloak. The service's address follows from its package (reports 8081, scoring 8082, rewards 8083).
 */
public final class Civic {

    private static final String USAGE = """
            usage: civic call [options] <package.Service/Method> [json | @file]
                   civic token [options]
            options:
              --as <client-id>     client-credentials token for this Keycloak client (default civic-admin-cli)
              --secret <secret>    its secret (default: $CIVIC_CLIENT_SECRET, else the demo realm file's)
              --user <name> --password <password>   password token through the public client civic-app
              --target <host:port> where to call (default by package: reports 8081, scoring 8082, rewards 8083)
              --issuer <url>       realm URL (default $CIVIC_ISSUER or http://127.0.0.1:8180/realms/civic-credit)
            example:
              civic call civiccredit.scoring.v1.RuleTableService/GetRuleTable '{"version": 0}'
            """;

    private static final Map<String, String> DEFAULT_TARGETS = Map.of(
            "reports", "127.0.0.1:8081", "scoring", "127.0.0.1:8082", "rewards", "127.0.0.1:8083");

    private Civic() {
    }

    public static void main(String[] argv) {
        try {
            System.exit(run(argv));
        } catch (IllegalArgumentException e) {
            System.err.println("civic: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (StatusRuntimeException e) {
            System.err.println("civic: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            com.google.rpc.Status details = StatusProto.fromThrowable(e);
            if (details != null && details.getDetailsCount() > 0) {
                System.err.println(details);
            }
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
        String token = token(issuer, options);
        return switch (command) {
            case "token" -> {
                System.out.println(token);
                yield 0;
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
                call(method, json, token, options.get("target"));
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
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            var authed = io.grpc.ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(headers));
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
