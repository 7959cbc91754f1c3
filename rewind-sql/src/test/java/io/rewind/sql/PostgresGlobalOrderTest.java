package io.rewind.sql;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.Await;
import io.rewind.testkit.ConcurrentTasks;
import io.rewind.testkit.RecordingListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The global-order gap on PostgreSQL: positions handed out by concurrent transactions must become
 * visible in order, with no hole, so that a subscriber reading "after position p" never skips an
 * event that commits later with a smaller position and never stalls behind one that rolled back.
 *
 * <p>The first test is the proof under load. A design that took positions from a sequence would fail
 * it twice over: every rolled-back transaction would leave a hole in the positions (the dense check),
 * and a transaction committing after a later-numbered one would be skipped by a subscriber already
 * past it (the exactly-once check). The last test shows that skip happening with a bare sequence.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresGlobalOrderTest extends PostgresSchemaTest {

    private static final Duration WRITERS_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void concurrentWritersWithRollbacksAreDeliveredExactlyOnceInPositionOrder() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        RecordingListener onFirst = subscribe(first, SubscriptionRequest.fromBeginning());
        RecordingListener onSecond = subscribe(second, SubscriptionRequest.fromBeginning());
        RecordingListener late = new RecordingListener();
        Set<UUID> committed = ConcurrentHashMap.newKeySet();
        Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
        int connectionWriters = 8;
        int transactionsEach = 30;

        ConcurrentTasks.run(connectionWriters + 3, WRITERS_TIMEOUT, thread -> {
            if (thread < connectionWriters) {
                writeOnOwnConnection(thread, transactionsEach, committed, rolledBack);
            } else if (thread < connectionWriters + 2) {
                // The stores' own writers too: group commit, and NOTIFY waking the other store.
                SqlEventStore store = thread == connectionWriters ? first : second;
                for (int i = 0; i < 30; i++) {
                    List<EventData> batch = events("store-" + thread + "-" + i, 1 + i % 3);
                    store.append("store-" + thread, ExpectedVersion.any(), batch);
                    batch.forEach(event -> committed.add(event.id()));
                }
            } else {
                // A subscriber that starts in the middle, while writers are busy: history then live.
                Await.until(() -> committed.size() >= 100, "a hundred events are committed");
                subscribe(second, SubscriptionRequest.fromBeginning(), late);
            }
        });

        int total = committed.size();
        assertThat(rolledBack).as("rolled-back events").hasSizeGreaterThan(50);
        List<RecordedEvent> log = first.readAll(0, Direction.FORWARD, 10_000);
        assertThat(log).extracting(RecordedEvent::position)
                .as("positions: dense from 0, no hole left by the rolled-back transactions")
                .containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
        assertThat(log).extracting(RecordedEvent::id).as("the stored events are exactly the committed ones")
                .containsExactlyInAnyOrderElementsOf(committed);
        for (RecordingListener listener : List.of(onFirst, onSecond, late)) {
            listener.awaitCount(total, WRITERS_TIMEOUT);
            listener.assertUnbrokenChainFrom(-1);
            assertThat(listener.recordedEvents()).as("each subscriber gets every committed event once, in order")
                    .containsExactlyElementsOf(log);
        }
    }

    /**
     * One writer on a connection of its own, running the store's append transaction directly: 1 or
     * 2 appends of 1 to 3 events per transaction, and every fourth transaction rolled back after
     * its positions were taken and its events written.
     */
    private void writeOnOwnConnection(int thread, int transactions, Set<UUID> committed, Set<UUID> rolledBack)
            throws Exception {
        PostgresDialect dialect = new PostgresDialect(PostgresEventStore.channel(database.config(schema).build()));
        Random random = new Random(thread);
        try (Connection connection = database.connect(schema)) {
            for (int i = 0; i < transactions; i++) {
                AppendTransaction transaction = AppendTransaction.begin(connection, dialect, Clock.systemUTC());
                List<UUID> ids = new ArrayList<>();
                for (int append = 0; append < 1 + random.nextInt(2); append++) {
                    List<EventData> batch = events("writer-" + thread + "-" + i + "-" + append, 1 + random.nextInt(3));
                    transaction.append(AppendRequest.to("writer-" + thread + "-" + random.nextInt(3),
                            ExpectedVersion.any(), batch));
                    batch.forEach(event -> ids.add(event.id()));
                }
                // Work inside the open transaction, which keeps its positions taken a while: it
                // reads its own events back.
                assertThat(new Queries(dialect).eventsByIds(connection, ids)).hasSize(ids.size());
                if (i % 4 == 3) {
                    transaction.rollback();
                    rolledBack.addAll(ids);
                } else {
                    transaction.commit();
                    committed.addAll(ids);
                }
            }
        }
    }

    @Test
    void aRolledBackAppendHandsItsPositionToTheNextAndNoSubscriberWaitsForIt() throws Exception {
        SqlEventStore store = open();
        RecordingListener listener = subscribe(store, SubscriptionRequest.fromBeginning());
        listener.awaitCaughtUp();
        EventData abandoned = event("abandoned");
        EventData kept = event("kept");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        // Closed in reverse order: the first connection goes first, releasing the head row, should a
        // failed assertion leave the second appender waiting for it.
        try (Connection secondConnection = database.connect(schema); Connection firstConnection = database.connect(schema)) {
            AppendTransaction firstTransaction = AppendTransaction.begin(firstConnection, dialect(), Clock.systemUTC());
            AppendResult taken = firstTransaction.append(AppendRequest.to("first", ExpectedVersion.noStream(), abandoned));
            assertThat(taken.firstPosition()).isZero();
            long secondPid = backendPid(secondConnection);
            CompletableFuture<AppendResult> second = appendInOwnTransaction(executor, secondConnection,
                    AppendRequest.to("second", ExpectedVersion.noStream(), kept));
            awaitBlockedAtTheHeadRow(secondPid);
            assertThat(store.readAll(0, Direction.FORWARD, 10)).as("nothing is visible while position 0 is open").isEmpty();

            firstTransaction.rollback();

            assertThat(Await.result(second).firstPosition()).as("the rolled-back position, handed on").isZero();
            assertThat(listener.awaitCount(1)).singleElement()
                    .satisfies(delivered -> assertThat(delivered.event().id()).isEqualTo(kept.id()));
            listener.assertUnbrokenChainFrom(-1);
            assertThat(store.readEvent(abandoned.id())).isEmpty();
            assertThat(store.headPosition()).isZero();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void anAppendStartedLaterCommitsAfterTheOneHoldingTheHeadRowAndGetsTheNextPosition() throws Exception {
        SqlEventStore store = open();
        RecordingListener listener = subscribe(store, SubscriptionRequest.fromBeginning());
        EventData early = event("early");
        EventData later = event("later");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        // Closed in reverse order: the first connection goes first, releasing the head row, should a
        // failed assertion leave the second appender waiting for it.
        try (Connection secondConnection = database.connect(schema); Connection firstConnection = database.connect(schema)) {
            AppendTransaction firstTransaction = AppendTransaction.begin(firstConnection, dialect(), Clock.systemUTC());
            firstTransaction.append(AppendRequest.to("early", ExpectedVersion.noStream(), early));
            long secondPid = backendPid(secondConnection);
            CompletableFuture<AppendResult> second = appendInOwnTransaction(executor, secondConnection,
                    AppendRequest.to("later", ExpectedVersion.noStream(), later));
            awaitBlockedAtTheHeadRow(secondPid);
            assertThat(second).as("the later append, while the earlier holds the head row").isNotDone();

            firstTransaction.commit();

            assertThat(Await.result(second).firstPosition()).isEqualTo(1);
            assertThat(listener.awaitCount(2)).extracting(delivered -> delivered.event().id())
                    .containsExactly(early.id(), later.id());
            listener.assertUnbrokenChainFrom(-1);
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Why the technique exists: with positions from a sequence (the naive design), a reader that has
     * read up to position 1 never sees position 0, which committed after it; and a rolled-back
     * transaction leaves a hole for ever. This runs on a scratch table, not on the store.
     */
    @Test
    void aSequenceAloneWouldLetAReaderSkipAnEventThatCommitsLateAndLeaveHoles() throws Exception {
        try (Connection slow = database.connect(schema); Connection fast = database.connect(schema);
                Connection reader = database.connect(schema)) {
            execute(fast, "CREATE SEQUENCE naive_positions MINVALUE 0 START 0");
            execute(fast, "CREATE TABLE naive_events (position bigint PRIMARY KEY)");
            slow.setAutoCommit(false);
            execute(slow, "INSERT INTO naive_events VALUES (nextval('naive_positions'))");
            execute(fast, "INSERT INTO naive_events VALUES (nextval('naive_positions'))");

            List<Long> firstRead = positionsAfter(reader, -1);
            slow.commit();
            List<Long> secondRead = positionsAfter(reader, firstRead.get(firstRead.size() - 1));
            slow.setAutoCommit(false);
            execute(slow, "INSERT INTO naive_events VALUES (nextval('naive_positions'))");
            slow.rollback();
            execute(fast, "INSERT INTO naive_events VALUES (nextval('naive_positions'))");

            assertThat(firstRead).as("the reader's first page").containsExactly(1L);
            assertThat(secondRead).as("after position 1, position 0 is never read").isEmpty();
            assertThat(positionsAfter(reader, -1)).as("the table: 0 committed late, 2 a hole")
                    .containsExactly(0L, 1L, 3L);
        }
    }

    private static List<Long> positionsAfter(Connection reader, long after) throws SQLException {
        try (PreparedStatement statement = reader.prepareStatement(
                "SELECT position FROM naive_events WHERE position > ? ORDER BY position")) {
            statement.setLong(1, after);
            List<Long> positions = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    positions.add(rows.getLong(1));
                }
            }
            return positions;
        }
    }

    private CompletableFuture<AppendResult> appendInOwnTransaction(ExecutorService executor, Connection connection,
            AppendRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                AppendTransaction transaction = AppendTransaction.begin(connection, dialect(), Clock.systemUTC());
                AppendResult result = transaction.append(request);
                transaction.commit();
                return result;
            } catch (SQLException | CommitUnknownException e) {
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    /** The server process behind {@code connection}; asked before another thread uses the connection. */
    private static long backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Waits until the server process {@code pid} waits for a lock another process holds. */
    private void awaitBlockedAtTheHeadRow(long pid) throws SQLException {
        try (Connection observer = database.connect(schema);
                PreparedStatement statement = observer.prepareStatement(
                        "SELECT cardinality(pg_blocking_pids(?::integer)) > 0")) {
            statement.setLong(1, pid);
            Await.until(() -> {
                try (ResultSet row = statement.executeQuery()) {
                    return row.next() && row.getBoolean(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "backend " + pid + " waits for the head row");
        }
    }

    private PostgresDialect dialect() {
        return new PostgresDialect(PostgresEventStore.channel(database.config(schema).build()));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
