package io.rewind.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.rewind.api.AppendResult;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The JSON the HTTP API reads and writes, through Jackson's streaming API (no data binding, no
 * reflection). Thread-safe: the factory is shared, generators and parsers are per call.
 *
 * <p>An event's data and metadata are opaque bytes. They are written as a JSON value ({@code data},
 * {@code metadata}) when the bytes are one well-formed JSON text in UTF-8, and otherwise, or
 * always when the caller asks for it, as standard base64 ({@code data_base64},
 * {@code metadata_base64}). Empty metadata is left out.
 */
final class Json {

    /** Strings up to 64 Mi characters: a 16 MiB event in base64 is about 22 Mi. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(64 * 1024 * 1024)
                    .maxNestingDepth(200)
                    .maxNumberLength(200)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    static JsonGenerator generator(OutputStream out) {
        try {
            JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            return generator;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one event as a JSON object. */
    static void writeEvent(JsonGenerator out, RecordedEvent event, boolean base64) throws IOException {
        writeEvent(out, event, base64, null);
    }

    /**
     * Writes one event as a JSON object; in a live feed with {@code previous_position}, the position
     * of the event the feed delivered before it (or its start point), so a client can prove it
     * missed nothing.
     */
    static void writeEvent(JsonGenerator out, RecordedEvent event, boolean base64, Long previousPosition)
            throws IOException {
        out.writeStartObject();
        if (previousPosition != null) {
            out.writeNumberField("previous_position", previousPosition);
        }
        out.writeStringField("stream", event.stream());
        out.writeNumberField("version", event.version());
        out.writeNumberField("position", event.position());
        out.writeStringField("id", event.id().toString());
        out.writeStringField("type", event.type());
        out.writeStringField("timestamp", event.timestamp().toString());
        byte[] metadata = event.metadata();
        if (metadata.length > 0) {
            writeBytes(out, "metadata", metadata, base64);
        }
        writeBytes(out, "data", event.data(), base64);
        out.writeEndObject();
    }

    private static void writeBytes(JsonGenerator out, String name, byte[] bytes, boolean base64) throws IOException {
        if (!base64 && isJsonText(bytes)) {
            out.writeFieldName(name);
            out.writeRawValue(new String(bytes, StandardCharsets.UTF_8));
        } else {
            out.writeStringField(name + "_base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    /** Whether {@code bytes} are exactly one JSON value in UTF-8 (whitespace around it allowed). */
    static boolean isJsonText(byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        if (!validUtf8(bytes)) {
            return false;
        }
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    static void writeWritten(JsonGenerator out, AppendResult result) throws IOException {
        out.writeStartObject();
        out.writeArrayFieldStart("events");
        for (AppendResult.Written written : result.events()) {
            out.writeStartObject();
            out.writeStringField("stream", written.stream());
            out.writeNumberField("version", written.version());
            out.writeNumberField("position", written.position());
            out.writeStringField("id", written.id().toString());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    static void writeStreamInfo(JsonGenerator out, StreamInfo info) throws IOException {
        out.writeStartObject();
        out.writeStringField("stream", info.stream());
        out.writeNumberField("events", info.eventCount());
        out.writeNumberField("head_version", info.headVersion());
        out.writeNumberField("first_position", info.firstPosition());
        out.writeNumberField("last_position", info.lastPosition());
        out.writeEndObject();
    }

    /** Renders a small object with {@code body} into bytes. */
    static byte[] render(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = generator(out)) {
            body.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a JSON document. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator out) throws IOException;
    }

    /**
     * Copies the value the parser is at into {@code out} exactly: numbers keep their text (no
     * rounding through a double), strings their characters.
     */
    static void copyValue(JsonParser in, JsonGenerator out) throws IOException {
        JsonToken token = in.currentToken();
        switch (token) {
            case START_OBJECT -> {
                out.writeStartObject();
                while (in.nextToken() != JsonToken.END_OBJECT) {
                    out.writeFieldName(in.currentName());
                    in.nextToken();
                    copyValue(in, out);
                }
                out.writeEndObject();
            }
            case START_ARRAY -> {
                out.writeStartArray();
                while (in.nextToken() != JsonToken.END_ARRAY) {
                    copyValue(in, out);
                }
                out.writeEndArray();
            }
            case VALUE_STRING -> out.writeString(in.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.writeNumber(in.getText());
            case VALUE_TRUE -> out.writeBoolean(true);
            case VALUE_FALSE -> out.writeBoolean(false);
            case VALUE_NULL -> out.writeNull();
            default -> throw new IllegalStateException("not at a value: " + token);
        }
    }
}
