package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Reads the JSON bodies of appends into {@link AppendRequest}s. Every mistake is an
 * {@link InvalidRequestException} naming the field by its path ({@code events[2].id}), so that a
 * client sees what to fix. Unknown fields are refused rather than ignored: a misspelt
 * {@code expected_version} must not silently become "any". Stateless and thread-safe.
 *
 * <pre>
 * one stream:    {"expected_version": "any" | "no-stream" | "stream-exists" | N, "events": [EVENT, ...]}
 * several:       {"appends": [{"stream": S, "expected_version": V, "events": [EVENT, ...]}, ...],
 *                 "checks": [{"stream": S, "expected_version": V}, ...]}
 * EVENT:         {"id": UUID, "type": T, "data": JSON | "data_base64": B64, "metadata": JSON | "metadata_base64": B64}
 * </pre>
 * Data given as a JSON value is stored as its compact JSON text in UTF-8 (numbers and strings
 * exactly as written); given in base64, as the decoded bytes.
 */
final class AppendParser {

    private AppendParser() {
    }

    /** The body of {@code POST /api/streams/{stream}}. */
    static AppendRequest oneStream(String stream, InputStream body) {
        return parse(body, parser -> {
            ExpectedVersion expected = ExpectedVersion.any();
            List<EventData> events = null;
            expect(parser, JsonToken.START_OBJECT, "the body");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "expected_version" -> expected = expectedVersion(parser, "expected_version");
                    case "events" -> events = events(parser, "events");
                    default -> throw unknown(field, "expected_version, events");
                }
            }
            if (events == null) {
                throw new InvalidRequestException("events: missing (an append carries at least one event)");
            }
            return AppendRequest.to(stream, expected, events);
        });
    }

    /** The body of {@code POST /api/append}: several streams, and checks on others. */
    static AppendRequest severalStreams(InputStream body) {
        return parse(body, parser -> {
            AppendRequest.Builder builder = AppendRequest.builder();
            expect(parser, JsonToken.START_OBJECT, "the body");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "appends" -> streams(parser, "appends", builder, true);
                    case "checks" -> streams(parser, "checks", builder, false);
                    default -> throw unknown(field, "appends, checks");
                }
            }
            return builder.build();
        });
    }

    private static void streams(JsonParser parser, String path, AppendRequest.Builder builder, boolean writes)
            throws IOException {
        expect(parser, JsonToken.START_ARRAY, path);
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String item = path + "[" + index++ + "]";
            expect(parser, JsonToken.START_OBJECT, item);
            String stream = null;
            ExpectedVersion expected = ExpectedVersion.any();
            List<EventData> events = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "stream" -> stream = string(parser, item + ".stream");
                    case "expected_version" -> expected = expectedVersion(parser, item + ".expected_version");
                    case "events" -> {
                        if (!writes) {
                            throw new InvalidRequestException(item + ".events: a check writes no events");
                        }
                        events = events(parser, item + ".events");
                    }
                    default -> throw unknown(item + "." + field, writes ? "stream, expected_version, events"
                            : "stream, expected_version");
                }
            }
            if (stream == null) {
                throw new InvalidRequestException(item + ".stream: missing");
            }
            if (writes) {
                if (events == null) {
                    throw new InvalidRequestException(item + ".events: missing");
                }
                builder.append(stream, expected, events);
            } else {
                builder.check(stream, expected);
            }
        }
    }

    private static List<EventData> events(JsonParser parser, String path) throws IOException {
        expect(parser, JsonToken.START_ARRAY, path);
        List<EventData> events = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            events.add(event(parser, path + "[" + events.size() + "]"));
        }
        return events;
    }

    private static EventData event(JsonParser parser, String path) throws IOException {
        expect(parser, JsonToken.START_OBJECT, path);
        UUID id = null;
        String type = null;
        byte[] data = null;
        byte[] metadata = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            String at = path + "." + field;
            switch (field) {
                case "id" -> id = uuid(parser, at);
                case "type" -> type = string(parser, at);
                case "data" -> data = once(data, at, jsonBytes(parser));
                case "data_base64" -> data = once(data, path + ".data", base64(parser, at));
                case "metadata" -> metadata = once(metadata, at, jsonBytes(parser));
                case "metadata_base64" -> metadata = once(metadata, path + ".metadata", base64(parser, at));
                default -> throw unknown(at, "id, type, data, data_base64, metadata, metadata_base64");
            }
        }
        if (type == null) {
            throw new InvalidRequestException(path + ".type: missing (use \"\" for an event without a type)");
        }
        if (data == null) {
            throw new InvalidRequestException(path + ".data: missing (give data or data_base64)");
        }
        return new EventData(id, type, data, metadata);
    }

    private static byte[] once(byte[] previous, String path, byte[] value) {
        if (previous != null) {
            throw new InvalidRequestException(path + ": given twice (as JSON and as base64)");
        }
        return value;
    }

    private static byte[] jsonBytes(JsonParser parser) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator generator = Json.generator(out)) {
            Json.copyValue(parser, generator);
        }
        return out.toByteArray();
    }

    private static byte[] base64(JsonParser parser, String path) throws IOException {
        String text = string(parser, path);
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(path + ": not standard base64 (" + e.getMessage() + ")");
        }
    }

    private static UUID uuid(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        String text = string(parser, path);
        try {
            UUID parsed = UUID.fromString(text);
            if (!parsed.toString().equalsIgnoreCase(text)) {
                throw new IllegalArgumentException("not in canonical form");
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(path + ": not a UUID (8-4-4-4-12 hex digits), was '" + clip(text) + "'");
        }
    }

    static ExpectedVersion expectedVersion(JsonParser parser, String path) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            try {
                long version = parser.getLongValue();
                if (version < 0) {
                    throw new InvalidRequestException(path + ": a version is >= 0, was " + version);
                }
                return ExpectedVersion.exactly(version);
            } catch (com.fasterxml.jackson.core.exc.InputCoercionException e) {
                throw new InvalidRequestException(path + ": version out of range: " + clip(parser.getText()));
            }
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            switch (text) {
                case "any":
                    return ExpectedVersion.any();
                case "no-stream":
                    return ExpectedVersion.noStream();
                case "stream-exists":
                    return ExpectedVersion.streamExists();
                default:
                    break;
            }
        }
        throw new InvalidRequestException(path + ": use \"any\", \"no-stream\", \"stream-exists\" or a version number"
                + " >= 0, was " + clip(parser.getText()));
    }

    private static String string(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidRequestException(path + ": must be a string, was " + describe(parser));
        }
        return parser.getText();
    }

    private static void expect(JsonParser parser, JsonToken token, String path) throws IOException {
        if (parser.currentToken() != token) {
            throw new InvalidRequestException(path + ": must be " + (token == JsonToken.START_OBJECT ? "an object"
                    : "an array") + ", was " + describe(parser));
        }
    }

    private static String describe(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + clip(parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static InvalidRequestException unknown(String field, String known) {
        return new InvalidRequestException(clip(field) + ": unknown field (known: " + known + ")");
    }

    static String clip(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    @FunctionalInterface
    private interface Body<T> {
        T read(JsonParser parser) throws IOException;
    }

    private static <T> T parse(InputStream body, Body<T> reader) {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            parser.nextToken();
            T result = reader.read(parser);
            if (parser.nextToken() != null) {
                throw new InvalidRequestException("the body holds more than one JSON value");
            }
            return result;
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException("the body exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidRequestException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RequestBodyException(e);
        }
    }
}
