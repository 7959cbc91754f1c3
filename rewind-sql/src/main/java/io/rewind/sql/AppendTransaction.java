package io.rewind.sql;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.RecordedEvent;
import io.rewind.core.AppendPlan;
import io.rewind.core.AppendPlanner;
import io.rewind.core.StoreState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One database transaction holding one or more appends: the unit of group commit, and the heart of
 * the global-order technique.
 *
 * <p><b>Commit-ordered positions.</b> {@link #begin} locks the single head row before anything else
 * ({@code SELECT ... FOR UPDATE} on PostgreSQL; SQLite's {@code BEGIN IMMEDIATE} holds the whole
 * database). Positions are allocated from that row, and the row stays locked until the transaction
 * commits or rolls back. Hence, on every server over the same database: positions are handed out
 * in commit order, with no gap (a rolled-back transaction hands its numbers back, since the row
 * reverts), and an event at position p is visible to a reader only after every event below p is.
 * A reader of "after position p" can never skip an event that commits later with a smaller
 * position, because there is none, and never waits for a rolled-back one. The price: appends
 * serialise on one row, from lock to commit (docs/SQL.md measures it; group commit amortises it).
 *
 * <p>Each append is planned by the shared {@link AppendPlanner} against the committed state plus
 * this transaction's own earlier appends (its queries see its writes), so an append decided here
 * gets exactly the outcome the memory store would give. A refused append (wrong expected version,
 * idempotency conflict) throws before it writes anything, and the transaction goes on with the next.
 *
 * <p>Not thread-safe: one thread owns a transaction from {@link #begin} to {@link #commit} or
 * {@link #rollback}.
 */
final class AppendTransaction {

    private final Connection connection;
    private final SqlDialect dialect;
    private final Queries queries;
    private final Clock clock;
    private final long startHead;
    private long head;
    private long lastTimestampMicros;

    private AppendTransaction(Connection connection, SqlDialect dialect, Clock clock, long head,
            long lastTimestampMicros) {
        this.connection = connection;
        this.dialect = dialect;
        this.queries = new Queries(dialect);
        this.clock = clock;
        this.startHead = head;
        this.head = head;
        this.lastTimestampMicros = lastTimestampMicros;
    }

    /**
     * Starts a transaction on {@code connection} (in auto-commit mode) and takes the head row,
     * waiting for any appender that holds it, on this server or another, to commit or roll back.
     */
    static AppendTransaction begin(Connection connection, SqlDialect dialect, Clock clock) throws SQLException {
        dialect.begin(connection);
        try (PreparedStatement statement = connection.prepareStatement(dialect.lockHeadQuery());
                ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                throw new SQLException("the rewind_head table has no row: the schema is damaged");
            }
            return new AppendTransaction(connection, dialect, clock, row.getLong(1), row.getLong(2));
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, dialect, e);
            throw e;
        }
    }

    /** The newest position including this transaction's appends. */
    long head() {
        return head;
    }

    /** Whether this transaction wrote any event. */
    boolean wroteEvents() {
        return head != startHead;
    }

    /**
     * Plans and writes one append, or answers it as a retry.
     *
     * @throws io.rewind.api.WrongExpectedVersionException if a condition does not hold; nothing was written
     * @throws io.rewind.api.IdempotencyConflictException  if stored ids make it neither new nor a retry;
     *                                                      nothing was written
     * @throws SQLException                                 the transaction must be rolled back
     */
    AppendResult append(AppendRequest request) throws SQLException {
        AppendPlan plan = AppendPlanner.plan(request, prefetchState(request), UUID::randomUUID);
        if (plan instanceof AppendPlan.Retry retry) {
            return retry.result();
        }
        return write(((AppendPlan.Write) plan).events());
    }

    /**
     * The planner's view: the current versions of every stream the request names and the stored
     * events with its ids, read in a few queries rather than one per event.
     */
    private StoreState prefetchState(AppendRequest request) throws SQLException {
        Set<String> streams = new LinkedHashSet<>();
        Set<UUID> ids = new LinkedHashSet<>();
        for (AppendRequest.StreamAppend append : request.appends()) {
            streams.add(append.stream());
            for (EventData event : append.events()) {
                if (event.id() != null) {
                    ids.add(event.id());
                }
            }
        }
        request.checks().forEach(check -> streams.add(check.stream()));
        Map<String, Long> versions = queries.headVersions(connection, streams);
        Map<UUID, RecordedEvent> stored = ids.isEmpty() ? Map.of() : queries.eventsByIds(connection, ids);
        return new StoreState() {
            @Override
            public long currentVersion(String stream) {
                return versions.getOrDefault(stream, -1L);
            }

            @Override
            public Optional<RecordedEvent> eventById(UUID id) {
                return Optional.ofNullable(stored.get(id));
            }
        };
    }

    private AppendResult write(List<AppendPlan.PlannedEvent> planned) throws SQLException {
        long timestampMicros = nextTimestampMicros();
        Instant timestamp = Micros.toInstant(timestampMicros);
        List<AppendResult.Written> written = new ArrayList<>(planned.size());
        Map<String, WrittenStream> streams = new LinkedHashMap<>();
        long position = head;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rewind_events"
                + " (position, stream, version, id, type, recorded_at, data, metadata)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AppendPlan.PlannedEvent event : planned) {
                position++;
                EventData data = event.data();
                insert.setLong(1, position);
                insert.setString(2, event.stream());
                insert.setLong(3, event.version());
                dialect.setId(insert, 4, event.id());
                insert.setString(5, data.type());
                dialect.setTimestamp(insert, 6, timestamp);
                insert.setBytes(7, data.data());
                insert.setBytes(8, data.metadata());
                insert.addBatch();
                written.add(new AppendResult.Written(event.stream(), event.version(), position, event.id()));
                long eventPosition = position;
                WrittenStream stream = streams.computeIfAbsent(event.stream(), s -> new WrittenStream(eventPosition));
                stream.headVersion = event.version();
                stream.lastPosition = position;
            }
            insert.executeBatch();
        }
        upsertStreams(streams);
        head = position;
        lastTimestampMicros = timestampMicros;
        return new AppendResult(written);
    }

    /** Records each written stream's new head version and last position (and first, if it is new). */
    private void upsertStreams(Map<String, WrittenStream> streams) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO rewind_streams"
                + " (stream, head_version, first_position, last_position) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (stream) DO UPDATE SET head_version = excluded.head_version,"
                + " last_position = excluded.last_position")) {
            for (Map.Entry<String, WrittenStream> entry : streams.entrySet()) {
                WrittenStream stream = entry.getValue();
                upsert.setString(1, entry.getKey());
                upsert.setLong(2, stream.headVersion);
                upsert.setLong(3, stream.firstPosition);
                upsert.setLong(4, stream.lastPosition);
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    /** The clock in microseconds, never before the newest timestamp stored by any server. */
    private long nextTimestampMicros() {
        long now = Micros.of(clock.instant().truncatedTo(ChronoUnit.MICROS));
        return Math.max(now, lastTimestampMicros);
    }

    /**
     * Records the new head, announces it (PostgreSQL), and commits.
     *
     * @return the head after the commit
     * @throws SQLException           the transaction failed before its commit and was rolled back
     * @throws CommitUnknownException the commit statement failed: whether it took effect is unknown
     */
    long commit() throws SQLException, CommitUnknownException {
        if (wroteEvents()) {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE rewind_head SET head_position = ?, last_timestamp_us = ?")) {
                update.setLong(1, head);
                update.setLong(2, lastTimestampMicros);
                update.executeUpdate();
                dialect.announce(connection, head);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, dialect, e);
                throw e;
            }
        }
        try {
            dialect.commit(connection);
        } catch (SQLException e) {
            rollbackQuietly(connection, dialect, e);
            throw new CommitUnknownException(e);
        }
        return head;
    }

    /** Rolls back, handing every position this transaction took back to the next appender. */
    void rollback() throws SQLException {
        dialect.rollback(connection);
    }

    /** Rolls back after {@code failure}, attaching any error of the rollback itself to it. */
    static void rollbackQuietly(Connection connection, SqlDialect dialect, Exception failure) {
        try {
            dialect.rollback(connection);
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** What one append wrote to one stream: its first position there (used only for a new stream) and its head. */
    private static final class WrittenStream {
        final long firstPosition;
        long headVersion;
        long lastPosition;

        WrittenStream(long firstPosition) {
            this.firstPosition = firstPosition;
        }
    }
}
