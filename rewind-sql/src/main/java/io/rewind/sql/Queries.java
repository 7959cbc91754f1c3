package io.rewind.sql;

import io.rewind.api.Direction;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The store's reading statements, shared by both databases, each run on a connection the caller
 * holds (in auto-commit mode for a consistent single-statement read, or inside an append
 * transaction, which then sees its own writes). Immutable and thread-safe.
 */
final class Queries {

    /** How many keys one {@code IN (...)} list carries: far below every database's parameter limit. */
    static final int KEYS_PER_QUERY = 500;

    static final String EVENT_COLUMNS =
            "position, stream, version, id, type, recorded_at, data, metadata";
    private static final String STREAM_COLUMNS = "stream, head_version, first_position, last_position";

    private final SqlDialect dialect;

    Queries(SqlDialect dialect) {
        this.dialect = dialect;
    }

    /** The newest position, -1 when the store is empty. */
    long head(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT head_position FROM rewind_head");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    List<RecordedEvent> readAll(Connection connection, long from, Direction direction, int limit)
            throws SQLException {
        String sql = direction == Direction.FORWARD
                ? "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE position >= ? ORDER BY position LIMIT ?"
                : "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE position <= ? ORDER BY position DESC LIMIT ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, from);
            statement.setInt(2, limit);
            return events(statement, limit);
        }
    }

    List<RecordedEvent> readStream(Connection connection, String stream, long from, Direction direction, int limit)
            throws SQLException {
        String sql = direction == Direction.FORWARD
                ? "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE stream = ? AND version >= ?"
                        + " ORDER BY version LIMIT ?"
                : "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE stream = ? AND version <= ?"
                        + " ORDER BY version DESC LIMIT ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, stream);
            statement.setLong(2, from);
            statement.setInt(3, limit);
            return events(statement, limit);
        }
    }

    Optional<RecordedEvent> readEvent(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE id = ?")) {
            dialect.setId(statement, 1, id);
            List<RecordedEvent> found = events(statement, 1);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** The stored events among {@code ids}, by id. */
    Map<UUID, RecordedEvent> eventsByIds(Connection connection, Collection<UUID> ids) throws SQLException {
        Map<UUID, RecordedEvent> found = new HashMap<>();
        for (List<UUID> chunk : chunks(ids)) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT " + EVENT_COLUMNS + " FROM rewind_events WHERE id IN (" + placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    dialect.setId(statement, i + 1, chunk.get(i));
                }
                for (RecordedEvent event : events(statement, chunk.size())) {
                    found.put(event.id(), event);
                }
            }
        }
        return found;
    }

    /** The head versions of those of {@code streams} that have events. */
    Map<String, Long> headVersions(Connection connection, Collection<String> streams) throws SQLException {
        Map<String, Long> versions = new HashMap<>();
        for (List<String> chunk : chunks(streams)) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT stream, head_version FROM rewind_streams WHERE stream IN (" + placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    statement.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        versions.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
        }
        return versions;
    }

    Optional<StreamInfo> streamInfo(Connection connection, String stream) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + STREAM_COLUMNS + " FROM rewind_streams WHERE stream = ?")) {
            statement.setString(1, stream);
            List<StreamInfo> found = streams(statement);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /**
     * Streams named from {@code from} (inclusive) or after {@code after} (exclusive, when not null),
     * up to {@code until} (exclusive, when not null), in name order, at most {@code limit}.
     */
    List<StreamInfo> listStreams(Connection connection, String from, String after, String until, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + STREAM_COLUMNS + " FROM rewind_streams WHERE ");
        sql.append(after == null ? "stream >= ?" : "stream > ?");
        if (until != null) {
            sql.append(" AND stream < ?");
        }
        sql.append(" ORDER BY stream LIMIT ?");
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int index = 1;
            statement.setString(index++, after == null ? from : after);
            if (until != null) {
                statement.setString(index++, until);
            }
            statement.setInt(index, limit);
            return streams(statement);
        }
    }

    /**
     * The position of the first event recorded at or after {@code time}, else the head + 1, read in
     * one statement so that both come from the same snapshot. Exact because timestamps never
     * decrease along positions: the first event in (recorded_at, position) order is the one.
     */
    long firstPositionAtOrAfter(Connection connection, Instant time) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COALESCE((SELECT position FROM rewind_events WHERE recorded_at >= ?"
                        + " ORDER BY recorded_at, position LIMIT 1),"
                        + " (SELECT head_position + 1 FROM rewind_head))")) {
            dialect.setTimestamp(statement, 1, time);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private List<RecordedEvent> events(PreparedStatement statement, int expected) throws SQLException {
        List<RecordedEvent> events = new ArrayList<>(Math.min(expected, 1024));
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                events.add(event(rows));
            }
        }
        return events;
    }

    /** The event in the current row of a query of {@link #EVENT_COLUMNS}. */
    RecordedEvent event(ResultSet rows) throws SQLException {
        return new RecordedEvent(rows.getString(2), rows.getLong(3), rows.getLong(1), dialect.getId(rows, 4),
                rows.getString(5), dialect.getTimestamp(rows, 6), rows.getBytes(7), rows.getBytes(8));
    }

    private static List<StreamInfo> streams(PreparedStatement statement) throws SQLException {
        List<StreamInfo> streams = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                streams.add(new StreamInfo(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)));
            }
        }
        return streams;
    }

    static <T> List<List<T>> chunks(Collection<T> keys) {
        List<T> all = List.copyOf(keys);
        List<List<T>> chunks = new ArrayList<>();
        for (int start = 0; start < all.size(); start += KEYS_PER_QUERY) {
            chunks.add(all.subList(start, Math.min(all.size(), start + KEYS_PER_QUERY)));
        }
        return chunks;
    }

    static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }
}
