package io.rewind.http;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.InvalidRequestException;
import io.rewind.groups.DuplicateGroupException;
import io.rewind.groups.GroupDefinition;
import io.rewind.groups.GroupInfo;
import io.rewind.groups.GroupService;
import io.rewind.groups.ParkedEvent;
import io.rewind.groups.UnknownGroupException;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumer-group routes under {@code /api/groups} (docs/HTTP.md, "Consumer groups"): list,
 * describe, create and delete groups, list a group's parked events and replay them, through the
 * {@link GroupService} the server was given ({@link ServedGroups}: on a cluster node, the one that
 * runs while the node leads), which runs the groups on the server's authority. Every
 * route needs the {@code admin} grant when the server asks for tokens, as the ZeroMQ GROUP command
 * does (docs/SECURITY.md). Consuming (join, ack, nack) is not served over HTTP. The service's own
 * exceptions become problems by their code (unknown group 404, bad settings 400), except a duplicate
 * create, which is 409. Thread-safe: the service is.
 */
final class GroupRoutes {

    /** Parked events per page when no limit is given. */
    static final int DEFAULT_PARKED_PAGE = 100;
    static final int MAX_PARKED_PAGE = 10_000;

    /** Null: the server was started without groups. */
    private final ServedGroups groups;
    /** The server's store itself, for the head of an empty list (the groups read it on the server's authority too). */
    private final EventStore store;

    GroupRoutes(ServedGroups groups, EventStore store) {
        this.groups = groups;
        this.store = store;
    }

    /** Every group with its figures, sorted by name, and the head they were taken at. */
    void list(Exchange x) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (list)");
        GroupService service = service();
        List<GroupInfo> infos = new ArrayList<>();
        for (String name : service.list()) {
            try {
                infos.add(service.describe(name));
            } catch (UnknownGroupException deletedMeanwhile) {
                // deleted between the list and its describe: it is not listed
            }
        }
        long head = infos.stream().mapToLong(GroupInfo::head).max().orElseGet(store::headPosition);
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("head", head);
            out.writeArrayFieldStart("groups");
            for (GroupInfo info : infos) {
                GroupJson.writeGroup(out, info);
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    void describe(Exchange x, String name) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (describe)");
        GroupInfo info = service().describe(name);
        x.json(200, out -> GroupJson.writeGroup(out, info));
    }

    /** Creates a group from the JSON body ({@link GroupJson}); answers it as {@link #describe} does. */
    void create(Exchange x) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (create)");
        GroupService service = service();
        x.requireContentType(Exchange.JSON);
        GroupJson.NewGroup request = GroupJson.newGroup(x.body());
        GroupDefinition created;
        try {
            created = service.create(request.name(), request.settings(), request.filter(), request.start());
        } catch (DuplicateGroupException e) {
            throw new HttpProblemException(Problem.http(409, ErrorCode.BAD_REQUEST, "Conflict",
                    String.valueOf(e.getMessage())));
        }
        GroupInfo info = service.describe(created.name());
        x.json(200, out -> GroupJson.writeGroup(out, info));
    }

    void delete(Exchange x, String name) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (delete)");
        service().delete(name);
        x.json(200, out -> {
            out.writeStartObject();
            out.writeStringField("deleted", name);
            out.writeEndObject();
        });
    }

    /**
     * The parked events in position order, a page at a time: {@code after} a position (exclusive),
     * at most {@code limit}; {@code next_after} is the {@code after} of the next page (null at the
     * end); {@code total} counts the whole list.
     */
    void parked(Exchange x, String name) {
        x.onlyParameters("after", "limit", "encoding");
        x.requireAdmin("manage consumer groups (parked)");
        long after = x.number("after", -1);
        long limit = x.number("limit", DEFAULT_PARKED_PAGE);
        if (limit < 1 || limit > MAX_PARKED_PAGE) {
            throw new InvalidRequestException("limit: must be 1 to " + MAX_PARKED_PAGE + ", was " + limit);
        }
        boolean base64 = base64(x);
        List<ParkedEvent> all = service().parked(name);
        List<ParkedEvent> page = all.stream().filter(p -> p.position() > after).limit(limit).toList();
        boolean more = !page.isEmpty() && all.get(all.size() - 1).position() > page.get(page.size() - 1).position();
        x.json(200, out -> {
            out.writeStartObject();
            out.writeStringField("group", name);
            out.writeNumberField("total", all.size());
            out.writeArrayFieldStart("parked");
            for (ParkedEvent parked : page) {
                GroupJson.writeParked(out, parked, base64);
            }
            out.writeEndArray();
            out.writeFieldName("next_after");
            if (more) {
                out.writeNumber(page.get(page.size() - 1).position());
            } else {
                out.writeNull();
            }
            out.writeEndObject();
        });
    }

    /** Puts the parked event at {@code position} back into the group. */
    void replayOne(Exchange x, String name, String position) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (replay)");
        GroupService service = service();
        long at;
        try {
            at = Long.parseLong(position);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("position: not a whole number, was '" + AppendParser.clip(position) + "'");
        }
        ParkedEvent replayed = service.replayParked(name, at);
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("replayed", 1);
            out.writeNumberField("position", replayed.position());
            out.writeEndObject();
        });
    }

    /** Puts every parked event back into the group, in position order. */
    void replayAll(Exchange x, String name) {
        x.onlyParameters();
        x.requireAdmin("manage consumer groups (replay)");
        int count = service().replayAllParked(name);
        x.json(200, out -> {
            out.writeStartObject();
            out.writeNumberField("replayed", count);
            out.writeEndObject();
        });
    }

    /**
     * The service for this request; a cluster node that does not lead throws its
     * {@link io.rewind.api.NotLeaderException} (503, naming the leader).
     */
    private GroupService service() {
        if (groups == null) {
            throw new HttpProblemException(Problem.http(503, ErrorCode.UNAVAILABLE, "Groups not served",
                    "this server was started without consumer groups"));
        }
        return groups.current();
    }

    private static boolean base64(Exchange x) {
        String encoding = x.text("encoding", "auto");
        return switch (encoding) {
            case "auto" -> false;
            case "base64" -> true;
            default -> throw new InvalidRequestException("encoding: use auto or base64, was '"
                    + AppendParser.clip(encoding) + "'");
        };
    }
}
