package io.rewind.sql;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.core.AppendPlan;
import io.rewind.core.AppendPlanner;
import io.rewind.core.StoreState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

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
 * <p>Each append is planned by the shared {@link AppendPlanner} against the committed state (read
 * once per batch, under the lock) plus the batch's own earlier appends, in memory, so an append
 * decided here gets exactly the outcome the memory store would give. A refused append (wrong
 * expected version, idempotency conflict) writes nothing, and the transaction goes on with the next.
 *
 * <p><b>Round trips.</b> The statements go in {@link StatementGroup}s: on PostgreSQL a batch of any
 * size takes three round trips while it holds the head row — the lock with the batch's look-ups,
 * the writes with the head update and the notification, and the commit.
 *
 * <p>Not thread-safe: one thread owns a transaction from {@link #begin} to {@link #commit} or
 * {@link #rollback}.
 */
final class AppendTransaction {

    /**
     * Rows per multi-row {@code INSERT}: 8 parameters a row keeps a statement at 8,000 parameters,
     * under both databases' limits (PostgreSQL 65,535; SQLite 32,766).
     */
    static final int ROWS_PER_INSERT = 1000;

    private final Connection connection;
    private final SqlDialect dialect;
    private final Clock clock;
    private final long startHead;
    private long head;
    private long lastTimestampMicros;
    /** Writes decided but not sent yet: {@link #appendAll} sends them at once, {@link #commit} with the head update. */
    private final StatementGroup pendingWrites = new StatementGroup();
    /** The batch whose state {@link #beginWith} read with the lock, and that state; null once used. */
    private List<AppendRequest> prefetchedFor;
    private BatchState prefetched;

    private AppendTransaction(Connection connection, SqlDialect dialect, Clock clock, long head,
            long lastTimestampMicros) {
        this.connection = connection;
        this.dialect = dialect;
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
        return begin(connection, dialect, clock, null);
    }

    /**
     * {@link #begin}, and reads with the lock, in the same round trip on PostgreSQL, what
     * {@link #decide} needs to decide {@code batch}: the versions of its streams and the stored
     * events with its ids. The reads run after the lock is granted, so they see every commit that
     * came before it, on any server.
     */
    static AppendTransaction beginWith(Connection connection, SqlDialect dialect, Clock clock,
            List<AppendRequest> batch) throws SQLException {
        return begin(connection, dialect, clock, batch);
    }

    private static AppendTransaction begin(Connection connection, SqlDialect dialect, Clock clock,
            List<AppendRequest> batch) throws SQLException {
        dialect.begin(connection);
        try {
            long[] row = new long[2];
            boolean[] found = new boolean[1];
            StatementGroup group = new StatementGroup().query(dialect.lockHeadQuery(), 0, (statement, first) -> { },
                    rows -> {
                        if (rows.next()) {
                            found[0] = true;
                            row[0] = rows.getLong(1);
                            row[1] = rows.getLong(2);
                        }
                    });
            StatementGroup more = new StatementGroup();
            BatchState state = batch == null ? null : prefetch(group, more, dialect, batch);
            group.run(connection, dialect.runsStatementsTogether());
            more.run(connection, false);
            if (!found[0]) {
                throw new SQLException("the rewind_head table has no row: the schema is damaged");
            }
            AppendTransaction transaction = new AppendTransaction(connection, dialect, clock, row[0], row[1]);
            transaction.prefetchedFor = batch;
            transaction.prefetched = state;
            return transaction;
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
        Object outcome = appendAll(List.of(request)).get(0);
        if (outcome instanceof RuntimeException refused) {
            throw refused;
        }
        return (AppendResult) outcome;
    }

    /**
     * Plans and writes a batch of appends ({@link #decide}), sending the writes at once.
     *
     * @return one outcome per request, in order: its {@link AppendResult}, or the
     *         {@link WrongExpectedVersionException} or {@link IdempotencyConflictException} that
     *         refused it (a refused append writes nothing and does not affect the others)
     * @throws SQLException the transaction must be rolled back; nothing of the batch is stored
     */
    List<Object> appendAll(List<AppendRequest> requests) throws SQLException {
        List<Object> outcomes = decide(requests);
        pendingWrites.run(connection, dialect.runsStatementsTogether());
        return outcomes;
    }

    /**
     * Decides a batch of appends in memory and queues their writes, which {@link #commit} sends
     * with the head update (one round trip on PostgreSQL). The current versions of every stream
     * the batch names and the stored events with its ids are read once (by {@link #beginWith}, or
     * here), every append is then decided by the shared {@link AppendPlanner} against that state
     * plus the batch's earlier appends (the head row is ours: nobody else can change it meanwhile),
     * and the accepted ones are queued as multi-row inserts and one upsert of {@code rewind_streams}.
     *
     * @return as {@link #appendAll}
     * @throws SQLException the look-ups failed; the transaction must be rolled back
     */
    List<Object> decide(List<AppendRequest> requests) throws SQLException {
        BatchState state;
        if (requests == prefetchedFor) {
            state = prefetched;
        } else {
            StatementGroup reads = new StatementGroup();
            StatementGroup more = new StatementGroup();
            state = prefetch(reads, more, dialect, requests);
            reads.run(connection, dialect.runsStatementsTogether());
            more.run(connection, false);
        }
        prefetchedFor = null;
        prefetched = null;
        List<Object> outcomes = new ArrayList<>(requests.size());
        List<RecordedEvent> rows = new ArrayList<>();
        Map<String, WrittenStream> streams = new LinkedHashMap<>();
        for (AppendRequest request : requests) {
            AppendPlan plan;
            try {
                plan = AppendPlanner.plan(request, state, UUID::randomUUID);
            } catch (WrongExpectedVersionException | IdempotencyConflictException refused) {
                outcomes.add(refused);
                continue;
            }
            if (plan instanceof AppendPlan.Retry retry) {
                outcomes.add(retry.result());
            } else {
                outcomes.add(place(((AppendPlan.Write) plan).events(), state, rows, streams));
            }
        }
        queueInChunks(rows, AppendTransaction::insertSql, 8, this::bindEvents);
        // One row per stream for the whole batch: PostgreSQL refuses an ON CONFLICT DO UPDATE that
        // touches a row twice in one statement, so the batch's writes to a stream were merged.
        queueInChunks(List.copyOf(streams.entrySet()), AppendTransaction::upsertSql, 4, AppendTransaction::bindStreams);
        return outcomes;
    }

    /**
     * Adds the queries that read the committed state {@code requests} are decided against: the
     * versions of every stream they name and the stored events with their ids,
     * {@link Queries#KEYS_PER_QUERY} keys per query. The returned state fills as the groups run.
     *
     * <p>{@code group} gets the first query by version and the first by id (enough for a batch of up
     * to 500 streams and 500 ids), {@code more} the others, each to run alone: a query by id may
     * return whole events (when the batch holds retries), megabytes, and a pipeline must not have a
     * large answer ahead of statements the driver is still sending, or both sides could block on
     * full socket buffers.
     */
    private static BatchState prefetch(StatementGroup group, StatementGroup more, SqlDialect dialect,
            List<AppendRequest> requests) {
        Set<String> streams = new LinkedHashSet<>();
        Set<UUID> ids = new LinkedHashSet<>();
        for (AppendRequest request : requests) {
            for (AppendRequest.StreamAppend append : request.appends()) {
                streams.add(append.stream());
                for (EventData event : append.events()) {
                    if (event.id() != null) {
                        ids.add(event.id());
                    }
                }
            }
            request.checks().forEach(check -> streams.add(check.stream()));
        }
        Map<String, Long> versions = new HashMap<>();
        Map<UUID, RecordedEvent> stored = new HashMap<>();
        boolean firstVersions = true;
        for (List<String> chunk : Queries.chunks(streams)) {
            StatementGroup target = firstVersions ? group : more;
            firstVersions = false;
            target.query("SELECT stream, head_version FROM rewind_streams WHERE stream IN ("
                    + Queries.placeholders(chunk.size()) + ")", chunk.size(), (statement, first) -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            statement.setString(first + i, chunk.get(i));
                        }
                    }, rows -> {
                        while (rows.next()) {
                            versions.put(rows.getString(1), rows.getLong(2));
                        }
                    });
        }
        Queries queries = new Queries(dialect);
        boolean firstIds = true;
        for (List<UUID> chunk : Queries.chunks(ids)) {
            StatementGroup target = firstIds ? group : more;
            firstIds = false;
            target.query("SELECT " + Queries.EVENT_COLUMNS + " FROM rewind_events WHERE id IN ("
                    + Queries.placeholders(chunk.size()) + ")", chunk.size(), (statement, first) -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            dialect.setId(statement, first + i, chunk.get(i));
                        }
                    }, rows -> {
                        while (rows.next()) {
                            RecordedEvent event = queries.event(rows);
                            stored.put(event.id(), event);
                        }
                    });
        }
        return new BatchState(versions, stored);
    }

    /** Gives an accepted append its positions and timestamp, in memory; its rows are written later. */
    private AppendResult place(List<AppendPlan.PlannedEvent> planned, BatchState state, List<RecordedEvent> rows,
            Map<String, WrittenStream> streams) {
        long timestampMicros = nextTimestampMicros();
        Instant timestamp = Micros.toInstant(timestampMicros);
        List<AppendResult.Written> written = new ArrayList<>(planned.size());
        long position = head;
        for (AppendPlan.PlannedEvent event : planned) {
            position++;
            EventData data = event.data();
            RecordedEvent row = new RecordedEvent(event.stream(), event.version(), position, event.id(), data.type(),
                    timestamp, data.data(), data.metadata());
            rows.add(row);
            state.accept(row);
            written.add(new AppendResult.Written(event.stream(), event.version(), position, event.id()));
            long eventPosition = position;
            WrittenStream stream = streams.computeIfAbsent(event.stream(), s -> new WrittenStream(eventPosition));
            stream.headVersion = event.version();
            stream.lastPosition = position;
        }
        head = position;
        lastTimestampMicros = timestampMicros;
        return new AppendResult(written);
    }

    /** Queues a multi-row statement over {@code rows}, {@link #ROWS_PER_INSERT} rows per statement. */
    private <T> void queueInChunks(List<T> rows, IntFunction<String> sql, int parametersPerRow, RowBinder<T> binder) {
        for (int start = 0; start < rows.size(); start += ROWS_PER_INSERT) {
            List<T> chunk = rows.subList(start, Math.min(rows.size(), start + ROWS_PER_INSERT));
            pendingWrites.update(sql.apply(chunk.size()), chunk.size() * parametersPerRow,
                    (statement, first) -> binder.bind(statement, first, chunk));
        }
    }

    @FunctionalInterface
    private interface RowBinder<T> {
        void bind(PreparedStatement statement, int first, List<T> rows) throws SQLException;
    }

    private static String insertSql(int rows) {
        return "INSERT INTO rewind_events (position, stream, version, id, type, recorded_at, data, metadata) VALUES "
                + String.join(", ", Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?, ?, ?)"));
    }

    private void bindEvents(PreparedStatement insert, int first, List<RecordedEvent> rows) throws SQLException {
        int index = first;
        for (RecordedEvent row : rows) {
            insert.setLong(index++, row.position());
            insert.setString(index++, row.stream());
            insert.setLong(index++, row.version());
            dialect.setId(insert, index++, row.id());
            insert.setString(index++, row.type());
            dialect.setTimestamp(insert, index++, row.timestamp());
            insert.setBytes(index++, row.data());
            insert.setBytes(index++, row.metadata());
        }
    }

    private static String upsertSql(int rows) {
        return "INSERT INTO rewind_streams (stream, head_version, first_position, last_position) VALUES "
                + String.join(", ", Collections.nCopies(rows, "(?, ?, ?, ?)"))
                + " ON CONFLICT (stream) DO UPDATE SET head_version = excluded.head_version,"
                + " last_position = excluded.last_position";
    }

    private static void bindStreams(PreparedStatement upsert, int first, List<Map.Entry<String, WrittenStream>> entries)
            throws SQLException {
        int index = first;
        for (Map.Entry<String, WrittenStream> entry : entries) {
            WrittenStream stream = entry.getValue();
            upsert.setString(index++, entry.getKey());
            upsert.setLong(index++, stream.headVersion);
            upsert.setLong(index++, stream.firstPosition);
            upsert.setLong(index++, stream.lastPosition);
        }
    }

    /** The clock in microseconds, never before the newest timestamp stored by any server. */
    private long nextTimestampMicros() {
        long now = Micros.of(clock.instant().truncatedTo(ChronoUnit.MICROS));
        return Math.max(now, lastTimestampMicros);
    }

    /**
     * Sends the writes still queued with the new head and its announcement (PostgreSQL), in one
     * round trip there, and commits.
     *
     * @return the head after the commit
     * @throws SQLException           the transaction failed before its commit and was rolled back
     * @throws CommitUnknownException the commit statement failed: whether it took effect is unknown
     */
    long commit() throws SQLException, CommitUnknownException {
        if (wroteEvents()) {
            pendingWrites.update("UPDATE rewind_head SET head_position = ?, last_timestamp_us = ?", 2,
                    (statement, first) -> {
                        statement.setLong(first, head);
                        statement.setLong(first + 1, lastTimestampMicros);
                    });
            dialect.announce(pendingWrites, head);
        }
        try {
            pendingWrites.run(connection, dialect.runsStatementsTogether());
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, dialect, e);
            throw e;
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

    /**
     * The committed state read at the start of a batch plus the batch's accepted appends so far:
     * what {@link AppendPlanner} decides each next append against.
     */
    private static final class BatchState implements StoreState {
        private final Map<String, Long> versions;
        private final Map<UUID, RecordedEvent> events;

        BatchState(Map<String, Long> versions, Map<UUID, RecordedEvent> events) {
            this.versions = versions;
            this.events = events;
        }

        void accept(RecordedEvent event) {
            versions.put(event.stream(), event.version());
            events.put(event.id(), event);
        }

        @Override
        public long currentVersion(String stream) {
            return versions.getOrDefault(stream, -1L);
        }

        @Override
        public Optional<RecordedEvent> eventById(UUID id) {
            return Optional.ofNullable(events.get(id));
        }
    }

    /** What one batch wrote to one stream: its first position there (used only for a new stream) and its head. */
    private static final class WrittenStream {
        final long firstPosition;
        long headVersion;
        long lastPosition;

        WrittenStream(long firstPosition) {
            this.firstPosition = firstPosition;
        }
    }
}
