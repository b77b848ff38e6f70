package org.civiccredit.kit.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * Writes protobuf messages as the canonical proto3 JSON mapping, so the HTTP API returns exactly the shapes the
 * gRPC API documents (lowerCamelCase names, enums by name, timestamps in RFC 3339), every field included even
 * when it holds its default, so a zero balance reads {@code 0} rather than being absent.
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
public class ProtoJson implements MessageBodyWriter<MessageOrBuilder> {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();

    /** The JSON of a message. */
    public static String print(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("message cannot be printed as JSON", e);
        }
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return MessageOrBuilder.class.isAssignableFrom(type);
    }

    @Override
    public void writeTo(MessageOrBuilder message, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out)
            throws IOException, WebApplicationException {
        out.write(print(message).getBytes(StandardCharsets.UTF_8));
    }
}
