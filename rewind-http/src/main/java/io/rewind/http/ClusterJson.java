package io.rewind.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rewind.api.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** The JSON of {@code /api/cluster}: the status as written, and the body of an added member. */
final class ClusterJson {

    private ClusterJson() {
    }

    /** The body of {@code POST /api/cluster/members}. */
    record NewMember(String id, String address) {
    }

    static void write(JsonGenerator out, ClusterAdmin.View view) throws IOException {
        out.writeStartObject();
        out.writeStringField("node", view.node());
        if (view.leader().isPresent()) {
            out.writeStringField("leader", view.leader().get());
        } else {
            out.writeNullField("leader");
        }
        out.writeNumberField("term", view.term());
        out.writeNumberField("configuration_index", view.configurationIndex());
        out.writeBooleanField("changing", view.changing());
        out.writeArrayFieldStart("members");
        for (ClusterAdmin.Member member : view.members()) {
            out.writeStartObject();
            out.writeStringField("id", member.id());
            out.writeStringField("address", member.address());
            out.writeStringField("role", member.role());
            out.writeNumberField("applied_index", member.appliedIndex());
            number(out, "applied_position", member.appliedPosition());
            number(out, "entries_behind", member.entriesBehind());
            number(out, "events_behind", member.eventsBehind());
            if (member.error().isPresent()) {
                out.writeStringField("error", member.error().get());
            }
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private static void number(JsonGenerator out, String field, Optional<Long> value) throws IOException {
        if (value.isPresent()) {
            out.writeNumberField(field, value.get());
        } else {
            out.writeNullField(field);
        }
    }

    static NewMember newMember(InputStream body) {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("the body must be an object {\"id\": ..., \"address\": \"HOST:PORT\"}");
            }
            String id = null;
            String address = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "id" -> id = string(parser, "id");
                    case "address" -> address = string(parser, "address");
                    default -> throw new InvalidRequestException(AppendParser.clip(field)
                            + ": unknown field (known: id, address)");
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidRequestException("the body holds more than one JSON value");
            }
            if (id == null || address == null) {
                throw new InvalidRequestException((id == null ? "id" : "address") + ": missing (the body is"
                        + " {\"id\": ..., \"address\": \"HOST:PORT\"})");
            }
            return new NewMember(id, address);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new InvalidRequestException("the body exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidRequestException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RequestBodyException(e);
        }
    }

    private static String string(JsonParser parser, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidRequestException(field + ": must be a string");
        }
        return parser.getText();
    }
}
