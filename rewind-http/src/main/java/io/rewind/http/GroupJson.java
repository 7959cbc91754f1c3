package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rewind.api.InvalidRequestException;
import io.rewind.groups.GroupDefinition;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupInfo;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.groups.ParkedEvent;
import io.rewind.groups.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of {@code /api/groups} (docs/HTTP.md, "Consumer groups"): the body of a create, read
 * into the group service's own types, and a group and its parked events as written. Every mistake
 * in a body is an {@link InvalidRequestException} naming the field by its path
 * ({@code settings.max_retries}); unknown fields are refused, so a misspelt setting never silently
 * becomes its default. Stateless and thread-safe.
 *
 * <pre>
 * {"name": NAME,
 *  "settings": {"strategy": "round-robin" | "pinned-by-stream", "max_in_flight": N, "ack_timeout_ms": MS,
 *               "max_retries": N, "retry_backoff_ms": MS},
 *  "filter": {"stream": S | "prefix": P, "types": [T, ...]},
 *  "start": "beginning" | "now" | POSITION}
 * </pre>
 * Only {@code name} is required: the settings default to {@link GroupSettings#defaults()}, the
 * filter to every stream, the start to the beginning. A number as {@code start} starts after that
 * position, as {@code rewind groups create --from POSITION} does.
 */
final class GroupJson {

    private GroupJson() {
    }

    /** A create request, checked and ready for {@link io.rewind.groups.GroupService#create}. */
    record NewGroup(String name, GroupSettings settings, GroupFilter filter, GroupStart start) {
    }

    static String strategy(Strategy strategy) {
        return switch (strategy) {
            case ROUND_ROBIN -> "round-robin";
            case PINNED_BY_STREAM -> "pinned-by-stream";
        };
    }

    // --- reading --------------------------------------------------------------------------------

    static NewGroup newGroup(InputStream body) {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            parser.nextToken();
            expectObject(parser, "the body");
            String name = null;
            GroupSettings settings = GroupSettings.defaults();
            GroupFilter filter = GroupFilter.allStreams();
            GroupStart start = GroupStart.beginning();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "name" -> name = string(parser, "name");
                    case "settings" -> settings = settings(parser);
                    case "filter" -> filter = filter(parser);
                    case "start" -> start = start(parser);
                    default -> throw unknown(field, "name, settings, filter, start");
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidRequestException("the body holds more than one JSON value");
            }
            if (name == null) {
                throw new InvalidRequestException("name: missing (the body is {\"name\": ..., \"settings\": {...},"
                        + " \"filter\": {...}, \"start\": ...}; only the name is required)");
            }
            try {
                GroupDefinition.checkName(name);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("name: " + e.getMessage());
            }
            return new NewGroup(name, settings, filter, start);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new InvalidRequestException("the body exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidRequestException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RequestBodyException(e);
        }
    }

    private static GroupSettings settings(JsonParser parser) throws IOException {
        expectObject(parser, "settings");
        GroupSettings settings = GroupSettings.defaults();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            String path = "settings." + field;
            parser.nextToken();
            try {
                settings = switch (field) {
                    case "strategy" -> settings.withStrategy(strategy(parser, path));
                    case "max_in_flight" -> settings.withMaxInFlightPerConsumer(intNumber(parser, path));
                    case "ack_timeout_ms" -> settings.withAckTimeout(Duration.ofMillis(number(parser, path)));
                    case "max_retries" -> settings.withMaxRetries(intNumber(parser, path));
                    case "retry_backoff_ms" -> settings.withRetryBackoff(Duration.ofMillis(number(parser, path)));
                    default -> throw unknown(path, "strategy, max_in_flight, ack_timeout_ms, max_retries,"
                            + " retry_backoff_ms");
                };
            } catch (InvalidRequestException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(AppendParser.clip(path) + ":")) {
                    throw e;
                }
                // The settings' own range check ("group setting max retries must be 0 to 1000, was -1").
                throw new InvalidRequestException(path + ": " + e.getMessage());
            }
        }
        return settings;
    }

    private static Strategy strategy(JsonParser parser, String path) throws IOException {
        String text = string(parser, path);
        return switch (text) {
            case "round-robin" -> Strategy.ROUND_ROBIN;
            case "pinned-by-stream" -> Strategy.PINNED_BY_STREAM;
            default -> throw new InvalidRequestException(path + ": use \"round-robin\" or \"pinned-by-stream\", was '"
                    + AppendParser.clip(text) + "'");
        };
    }

    private static GroupFilter filter(JsonParser parser) throws IOException {
        expectObject(parser, "filter");
        String stream = null;
        String prefix = null;
        List<String> types = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "stream" -> stream = string(parser, "filter.stream");
                case "prefix" -> prefix = string(parser, "filter.prefix");
                case "types" -> types = types(parser);
                default -> throw unknown("filter." + field, "stream, prefix, types");
            }
        }
        if (stream != null && prefix != null) {
            throw new InvalidRequestException("filter: stream and prefix exclude each other (give one, or neither"
                    + " for every stream)");
        }
        GroupFilter filter;
        String path = stream != null ? "filter.stream" : "filter.prefix";
        try {
            filter = stream != null ? GroupFilter.stream(stream)
                    : prefix != null ? GroupFilter.streamPrefix(prefix) : GroupFilter.allStreams();
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(path + ": " + e.getMessage());
        }
        if (types != null && !types.isEmpty()) {
            try {
                filter = filter.withTypes(types);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("filter.types: " + e.getMessage());
            }
        }
        return filter;
    }

    private static List<String> types(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidRequestException("filter.types: must be an array of strings, was " + describe(parser));
        }
        List<String> types = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            types.add(string(parser, "filter.types[" + types.size() + "]"));
        }
        return types;
    }

    private static GroupStart start(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            long after = number(parser, "start");
            if (after < -1) {
                throw new InvalidRequestException("start: a position is -1 (the beginning) or more, was " + after);
            }
            return GroupStart.after(after);
        }
        if (token == JsonToken.VALUE_STRING) {
            switch (parser.getText()) {
                case "beginning":
                    return GroupStart.beginning();
                case "now":
                    return GroupStart.fromNow();
                default:
                    break;
            }
        }
        throw new InvalidRequestException("start: use \"beginning\", \"now\" or a position to start after, was "
                + describe(parser));
    }

    private static long number(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidRequestException(path + ": must be a whole number, was " + describe(parser));
        }
        try {
            return parser.getLongValue();
        } catch (com.fasterxml.jackson.core.exc.InputCoercionException e) {
            throw new InvalidRequestException(path + ": out of range: " + AppendParser.clip(parser.getText()));
        }
    }

    private static int intNumber(JsonParser parser, String path) throws IOException {
        long value = number(parser, path);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidRequestException(path + ": out of range: " + value);
        }
        return (int) value;
    }

    private static String string(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidRequestException(path + ": must be a string, was " + describe(parser));
        }
        return parser.getText();
    }

    private static void expectObject(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidRequestException(path + ": must be an object, was " + describe(parser));
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
            case VALUE_STRING -> "'" + AppendParser.clip(parser.getText()) + "'";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + AppendParser.clip(parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static InvalidRequestException unknown(String field, String known) {
        return new InvalidRequestException(AppendParser.clip(field) + ": unknown field (known: " + known + ")");
    }

    // --- writing --------------------------------------------------------------------------------

    /**
     * A group as {@code GET /api/groups/{group}} answers it: what it is (name, settings, filter,
     * the position it started after) and where it is (checkpoint, the durable one, the head,
     * {@code lag} = head − checkpoint in positions, consumers, in flight, buffered, parked).
     */
    static void writeGroup(JsonGenerator out, GroupInfo info) throws IOException {
        GroupDefinition definition = info.definition();
        GroupSettings settings = definition.settings();
        GroupFilter filter = definition.filter();
        out.writeStartObject();
        out.writeStringField("name", definition.name());
        out.writeObjectFieldStart("settings");
        out.writeStringField("strategy", strategy(settings.strategy()));
        out.writeNumberField("max_in_flight", settings.maxInFlightPerConsumer());
        out.writeNumberField("ack_timeout_ms", settings.ackTimeout().toMillis());
        out.writeNumberField("max_retries", settings.maxRetries());
        out.writeNumberField("retry_backoff_ms", settings.retryBackoff().toMillis());
        out.writeEndObject();
        out.writeObjectFieldStart("filter");
        switch (filter.scope()) {
            case STREAM -> out.writeStringField("stream", filter.target());
            case PREFIX -> out.writeStringField("prefix", filter.target());
            case ALL -> {
            }
        }
        out.writeArrayFieldStart("types");
        for (String type : filter.types().stream().sorted().toList()) {
            out.writeString(type);
        }
        out.writeEndArray();
        out.writeEndObject();
        out.writeNumberField("start_after", definition.startAfter());
        out.writeNumberField("checkpoint", info.checkpoint());
        out.writeNumberField("durable_checkpoint", info.durableCheckpoint());
        out.writeNumberField("head", info.head());
        out.writeNumberField("lag", info.lagPositions());
        out.writeArrayFieldStart("consumers");
        for (String consumer : info.consumers()) {
            out.writeString(consumer);
        }
        out.writeEndArray();
        out.writeNumberField("in_flight", info.inFlight());
        out.writeNumberField("buffered", info.buffered());
        out.writeNumberField("parked", info.parked());
        out.writeEndObject();
    }

    /** One parked event: its position, how often it was delivered, why it was parked, and the event. */
    static void writeParked(JsonGenerator out, ParkedEvent parked, boolean base64) throws IOException {
        out.writeStartObject();
        out.writeNumberField("position", parked.position());
        out.writeNumberField("attempts", parked.attempts());
        out.writeStringField("reason", parked.reason());
        out.writeFieldName("event");
        Json.writeEvent(out, parked.event(), base64);
        out.writeEndObject();
    }
}
