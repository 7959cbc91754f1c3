package io.rewind.sql;

import com.zaxxer.hikari.HikariDataSource;
import io.rewind.api.Arguments;
import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.HeadListener;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.Limits;
import io.rewind.api.ReadArguments;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreClosedException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionListener;
import io.rewind.api.SubscriptionRequest;
import io.rewind.core.CatchUpSubscription;
import io.rewind.core.EventSource;
import io.rewind.core.HeadWatch;
import io.rewind.core.ReaderPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventStore} in a SQL database: SQLite (open one with {@link SqliteEventStore#open}) or
 * PostgreSQL ({@link PostgresEventStore#open}); {@link SqlStores#open} opens either from a URI.
 *
 * <p>The database is the truth. Appends go through one {@link GroupCommitWriter} per store, whose
 * transactions take positions from the locked head row ({@link AppendTransaction}): positions are
 * dense and become visible in order, on this server and on every other server over the same
 * database. Reads are single statements on pooled connections. Subscriptions are
 * {@link CatchUpSubscription}s that read this store as their {@link EventSource}; they wait on a
 * {@link HeadWatch} that the writer advances after each commit and, on PostgreSQL, a listener
 * advances when another server commits (LISTEN/NOTIFY is only the wake-up: the head is read back
 * from the table).
 *
 * <p>Thread-safe. Every operation on a closed store throws {@link StoreClosedException}; a database
 * that fails or cannot be reached makes the operation throw {@link StoreUnavailableException}.
 * Append futures complete on the store's writer thread: a callback may append (it runs at once),
 * but one that blocks delays every append.
 */
public final class SqlEventStore implements EventStore, EventSource {

    private static final Logger LOG = LoggerFactory.getLogger(SqlEventStore.class);
    private static final int MAX_READ_ATTEMPTS = 3;
    /** How long a subscription waits for a database that fails transiently before it ends: see {@link #readForward}. */
    static final long SUBSCRIPTION_OUTAGE_TOLERANCE_MS = 60_000;

    private final String name;
    private final SqlDialect dialect;
    private final Queries queries;
    private final HikariDataSource readConnections;
    private final HikariDataSource writeConnections;
    private final int maxEventBytes;
    private final HeadWatch headWatch;
    private final GroupCommitWriter writer;
    private final ReaderPool readers;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile AutoCloseable notifications;
    private volatile boolean closed;

    /** Takes ownership of both pools; the schema must exist. */
    SqlEventStore(String name, SqlDialect dialect, HikariDataSource readConnections,
            HikariDataSource writeConnections, int maxEventBytes, Clock clock) throws SQLException {
        this.name = name;
        this.dialect = dialect;
        this.queries = new Queries(dialect);
        this.readConnections = readConnections;
        this.writeConnections = writeConnections;
        this.maxEventBytes = ConfigChecks.maxEventBytes(maxEventBytes);
        try (Connection connection = readConnections.getConnection()) {
            this.headWatch = new HeadWatch(queries.head(connection));
        }
        this.writer = new GroupCommitWriter(name, writeConnections, dialect, clock, headWatch::advance);
        this.readers = ReaderPool.start(name, readConnections.getMaximumPoolSize());
    }

    /** Attaches what tells this store of other servers' commits; closed with the store. */
    void attachNotifications(AutoCloseable listener) {
        this.notifications = listener;
    }

    /** Reads the head from the database and wakes subscriptions if it moved (another server appended). */
    void refreshHead() {
        headWatch.advance(read("read the head", queries::head));
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(AppendRequest request) {
        try {
            Arguments.requireNonNull(request, "append request");
            ensureOpen();
            request.validate(maxEventBytes);
            checkStorable(request);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(request);
    }

    private void checkStorable(AppendRequest request) {
        for (AppendRequest.StreamAppend append : request.appends()) {
            checkStorable("stream name", append.stream());
            append.events().forEach(event -> checkStorable("event type", event.type()));
        }
        request.checks().forEach(check -> checkStorable("stream name", check.stream()));
    }

    private void checkStorable(String what, String text) {
        if (!dialect.canStore(text)) {
            throw new InvalidRequestException(what + " contains U+0000, which " + dialect.databaseName()
                    + " text cannot hold");
        }
    }

    @Override
    public EventPage readStream(String stream, ReadOptions options) {
        ReadArguments.checkStreamRead(stream, options);
        ensureOpen();
        EventPage.Builder page = EventPage.forStream(options);
        if (!dialect.canStore(stream)) {
            return page.build();
        }
        return readChunks(page, options, RecordedEvent::version, "read stream '" + stream + "'",
                (connection, from, limit) -> queries.readStream(connection, stream, from, options.direction(), limit));
    }

    @Override
    public CompletableFuture<EventPage> readStreamAsync(String stream, ReadOptions options) {
        return readAsync(() -> readStream(stream, options));
    }

    @Override
    public EventPage readAll(ReadOptions options) {
        ReadArguments.checkOptions(options);
        ensureOpen();
        return readChunks(EventPage.forAll(options), options, RecordedEvent::position, "read the global log",
                (connection, from, limit) -> queries.readAll(connection, from, options.direction(), limit));
    }

    @Override
    public CompletableFuture<EventPage> readAllAsync(ReadOptions options) {
        return readAsync(() -> readAll(options));
    }

    /**
     * Fills {@code page} with as many statements as it takes: one when there is no byte budget,
     * otherwise chunks sized by how many events of the sizes seen so far fit the rest of the
     * budget, so the driver never holds many more rows than the page takes. Each chunk continues
     * after the last event of the one before; events never change once visible, so the chunks read
     * as one statement would.
     */
    private EventPage readChunks(EventPage.Builder page, ReadOptions options, ToLongFunction<RecordedEvent> key,
            String what, ChunkQuery query) {
        long from = options.from();
        while (!page.isFull()) {
            long start = from;
            int chunk = page.expectedFit(options.maxEvents());
            List<RecordedEvent> events = read(what, connection -> query.run(connection, start, chunk));
            for (RecordedEvent event : events) {
                if (!page.offer(event)) {
                    return page.build();
                }
            }
            if (events.size() < chunk) {
                break;
            }
            long last = key.applyAsLong(events.get(events.size() - 1));
            if (options.direction() == Direction.BACKWARD && last == 0) {
                break;
            }
            from = options.direction() == Direction.FORWARD ? last + 1 : last - 1;
        }
        return page.build();
    }

    /** One chunk of a read: at most {@code limit} events from {@code from} in the read's direction. */
    @FunctionalInterface
    private interface ChunkQuery {
        List<RecordedEvent> run(Connection connection, long from, int limit) throws SQLException;
    }

    /**
     * For subscriptions: the log forward, without the closed check they make through the watch.
     * Never a gap to fear: positions become visible in order (see {@link AppendTransaction}).
     *
     * <p>A subscription rides out a database outage, such as a failover of a highly available
     * cluster to its standby: a read that fails on a transient error (a lost connection, no primary
     * to connect to) is retried, with a growing pause of up to a second, for up to
     * {@link #SUBSCRIPTION_OUTAGE_TOLERANCE_MS}; only then does the subscription end with
     * {@link StoreUnavailableException}. Retrying is safe, reads have no effect, and the
     * subscription goes on from the position it had reached, so it neither skips nor repeats.
     */
    @Override
    public List<RecordedEvent> readForward(long fromPosition, int limit) {
        long started = System.nanoTime();
        long pauseMs = 50;
        boolean warned = false;
        while (true) {
            try {
                return read("read the global log",
                        connection -> queries.readAll(connection, fromPosition, Direction.FORWARD, limit));
            } catch (StoreUnavailableException e) {
                boolean transientFailure = e.getCause() instanceof SQLException sql && dialect.isTransient(sql);
                long waitedMs = (System.nanoTime() - started) / 1_000_000;
                if (closed || !transientFailure || waitedMs >= SUBSCRIPTION_OUTAGE_TOLERANCE_MS) {
                    throw e;
                }
                if (!warned) {
                    LOG.warn("{}: subscriptions wait for the database (up to {} s): {}", name,
                            SUBSCRIPTION_OUTAGE_TOLERANCE_MS / 1000, e.getMessage());
                    warned = true;
                }
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pauseMs = Math.min(1_000, pauseMs * 2);
            }
        }
    }

    @Override
    public Optional<RecordedEvent> readEvent(UUID id) {
        ReadArguments.checkEventId(id);
        ensureOpen();
        return read("read event " + id, connection -> queries.readEvent(connection, id));
    }

    @Override
    public CompletableFuture<Optional<RecordedEvent>> readEventAsync(UUID id) {
        return readAsync(() -> readEvent(id));
    }

    /** Reads on a reader thread (one per read connection), so no database work is on the caller's. */
    private <T> CompletableFuture<T> readAsync(Supplier<T> read) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreClosedException(name + " is closed"));
        }
        return readers.submit(read);
    }

    @Override
    public long firstPositionAtOrAfter(Instant time) {
        Arguments.requireNonNull(time, "time");
        ensureOpen();
        Instant bounded = Micros.atOrAfterBound(time);
        return read("find the first position at or after " + time,
                connection -> queries.firstPositionAtOrAfter(connection, bounded));
    }

    @Override
    public java.util.Optional<io.rewind.api.WriterQueue> writerQueue() {
        return java.util.Optional.of(writer.queue());
    }

    @Override
    public long headPosition() {
        ensureOpen();
        return read("read the head", queries::head);
    }

    @Override
    public Optional<StreamInfo> streamInfo(String stream) {
        Limits.checkStreamName(stream);
        ensureOpen();
        if (!dialect.canStore(stream)) {
            return Optional.empty();
        }
        return read("read stream info of '" + stream + "'", connection -> queries.streamInfo(connection, stream));
    }

    @Override
    public StreamPage listStreams(StreamListOptions options) {
        ReadArguments.checkListing(options);
        String namePrefix = options.prefix();
        String after = options.after();
        ensureOpen();
        StreamPage.Builder page = StreamPage.builder(options);
        if (!dialect.canStore(namePrefix)) {
            return page.build();
        }
        // A cursor before the prefix's range starts the page at the prefix, as no name there can match.
        String cursor = !after.isEmpty() && Limits.STREAM_NAME_ORDER.compare(after, namePrefix) >= 0
                ? storableCursor(after) : null;
        String until = StreamNameRange.upperBound(namePrefix).orElse(null);
        // One more than the page holds, so that the page knows whether another follows.
        List<StreamInfo> found = read("list streams",
                connection -> queries.listStreams(connection, namePrefix, cursor, until, options.maxStreams() + 1));
        for (StreamInfo stream : found) {
            if (!page.offer(stream)) {
                break;
            }
        }
        return page.build();
    }

    @Override
    public CompletableFuture<StreamPage> listStreamsAsync(StreamListOptions options) {
        return readAsync(() -> listStreams(options));
    }

    /**
     * A cursor the database can compare with. No stored name holds U+0000 where the database cannot
     * store it, so "after x U+0000 y" means "after x" for every stored name.
     */
    private String storableCursor(String after) {
        return dialect.canStore(after) ? after : after.substring(0, after.indexOf('\u0000'));
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, SubscriptionListener listener) {
        Arguments.requireNonNull(request, "subscription request");
        Arguments.requireNonNull(listener, "subscription listener");
        ensureOpen();
        // The watch may lag another server's commits until its notification arrives: bring it to the
        // database's head first, so that fromEnd() starts after every event appended before this call.
        refreshHead();
        return CatchUpSubscription.start(this, headWatch, request, listener, subscription -> { });
    }

    /**
     * Closes the store: appends in the writer's current batch complete, queued ones fail with
     * {@link StoreClosedException}, subscriptions end with it, and the connections close. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        try {
            writer.close();
        } finally {
            headWatch.close();
            readers.close();
            closeNotifications();
            readConnections.close();
            writeConnections.close();
        }
    }

    private void closeNotifications() {
        AutoCloseable listener = notifications;
        if (listener != null) {
            try {
                listener.close();
            } catch (Exception e) {
                throw new StoreUnavailableException("could not stop the notification listener of " + name, e);
            }
        }
    }

    /** Closes the pools a store being opened had created, when opening fails. */
    static void closePools(HikariDataSource... pools) {
        for (HikariDataSource pool : pools) {
            if (pool != null) {
                pool.close();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreClosedException(name + " is closed");
        }
    }

    /**
     * Runs one read on a pooled connection, turning database errors into the API's exceptions. A
     * read that failed on a transient error (a connection the server dropped, which the pool then
     * discards) is run again: reads have no effect, so that is always safe, and it keeps a
     * subscription alive across a brief outage.
     */
    private <T> T read(String what, Read<T> read) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = readConnections.getConnection()) {
                return read.run(connection);
            } catch (SQLException e) {
                if (closed) {
                    throw new StoreClosedException(name + " is closed");
                }
                if (attempt >= MAX_READ_ATTEMPTS || !dialect.isTransient(e)) {
                    throw new StoreUnavailableException("could not " + what + " in " + name + ": " + e.getMessage()
                            + " (SQLSTATE " + e.getSQLState() + ")", e);
                }
            }
        }
    }

    /** One read on a connection. */
    @FunctionalInterface
    private interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * {@inheritDoc} Called on the writer thread after each commit that wrote events, and, on
     * PostgreSQL, on the notification listener's thread when another server commits.
     */
    @Override
    public HeadListener.Registration watchHead(HeadListener listener) {
        ensureOpen();
        return headWatch.watch(listener);
    }
}
