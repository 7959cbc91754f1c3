package io.rewind.sql;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.StoreAssertions.assertWrongExpectedVersion;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.testkit.Await;
import io.rewind.testkit.RecordingListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to SQLite: WAL, the file's write lock shared with other processes. */
class SqliteEventStoreTest {

    @TempDir
    Path directory;

    @Test
    void theDatabaseIsInWriteAheadLogMode() throws SQLException {
        SqliteEventStore.open(config().build()).close();

        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA journal_mode")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void anAppendFailsAsUnavailableWhileAnotherProcessHoldsTheWriteLockBeyondTheBusyTimeout() throws SQLException {
        try (SqlEventStore store = SqliteEventStore.open(config().busyTimeout(Duration.ofMillis(50)).build());
                Connection otherProcess = connect()) {
            execute(otherProcess, "BEGIN IMMEDIATE");

            StoreUnavailableException locked = assertFails(
                    () -> store.append("locked", ExpectedVersion.any(), event("locked")),
                    StoreUnavailableException.class, ErrorCode.UNAVAILABLE);
            execute(otherProcess, "ROLLBACK");

            assertThat(locked.getMessage()).contains("locked");
            assertThat(store.append("free", ExpectedVersion.any(), event("free")).firstPosition()).isZero();
            assertThat(store.readAll(0, Direction.FORWARD, 10)).hasSize(1);
        }
    }

    @Test
    void anAppendWaitsForAnotherProcessToReleaseTheWriteLock() throws SQLException {
        try (SqlEventStore store = SqliteEventStore.open(config().busyTimeout(Duration.ofSeconds(30)).build());
                Connection otherProcess = connect()) {
            execute(otherProcess, "BEGIN IMMEDIATE");
            execute(otherProcess, "UPDATE rewind_head SET last_timestamp_us = last_timestamp_us");

            CompletableFuture<AppendResult> waiting = store.appendAsync(
                    AppendRequest.to("waiting", ExpectedVersion.noStream(), event("waiting")));
            assertThat(store.readAll(0, Direction.FORWARD, 10)).as("events while the lock is held").isEmpty();
            execute(otherProcess, "COMMIT");

            assertThat(Await.result(waiting).firstPosition()).isZero();
        }
    }

    @Test
    void anAppendFromACompletionCallbackOnTheWriterThreadCompletes() throws SQLException {
        try (SqlEventStore store = SqliteEventStore.open(config().busyTimeout(Duration.ofSeconds(30)).build());
                Connection otherProcess = connect()) {
            // Holding the write lock keeps the first append from completing until the callback is attached,
            // so that the callback runs on the store's writer thread.
            execute(otherProcess, "BEGIN IMMEDIATE");
            CompletableFuture<AppendResult> chained = store.appendAsync(
                            AppendRequest.to("first", ExpectedVersion.noStream(), event("first")))
                    .thenApply(first -> store.append("second", ExpectedVersion.noStream(), event("second")));
            execute(otherProcess, "ROLLBACK");

            assertThat(Await.result(chained).firstPosition()).isEqualTo(1);
            assertThat(store.readAll(0, Direction.FORWARD, 10)).extracting(RecordedEvent::stream)
                    .containsExactly("first", "second");
        }
    }

    @Test
    void twoStoresOnOneFileShareOneGlobalOrderAndTheirConditions() {
        try (SqlEventStore first = SqliteEventStore.open(config().build());
                SqlEventStore second = SqliteEventStore.open(config().build())) {
            RecordingListener onSecond = new RecordingListener();
            Subscription subscription = second.subscribe(SubscriptionRequest.fromBeginning(), onSecond);
            try {
                first.append("order-1", ExpectedVersion.noStream(), events("first", 2));
                assertWrongExpectedVersion(() -> second.append("order-1", ExpectedVersion.noStream(), event("second")),
                        "order-1", ExpectedVersion.noStream(), 1);
                second.append("order-1", ExpectedVersion.exactly(1), event("second"));
                first.append("order-2", ExpectedVersion.any(), event("third"));

                List<RecordedEvent> log = first.readAll(0, Direction.FORWARD, 10);
                assertDenseAndOrdered(log);
                // No notification crosses SQLite connections: the subscription finds them at its idle poll.
                onSecond.awaitCount(4);
                assertThat(onSecond.recordedEvents()).containsExactlyElementsOf(log);
                onSecond.assertUnbrokenChainFrom(-1);
            } finally {
                subscription.close();
            }
        }
    }

    @Test
    void aStreamNameWithU0000IsStoredAndListed() {
        try (SqlEventStore store = SqliteEventStore.open(config().build())) {
            store.append("nul\u0000name", ExpectedVersion.noStream(), event("nul"));
            store.append("nul", ExpectedVersion.noStream(), event("plain"));

            assertThat(store.readStream("nul\u0000name", 0, Direction.FORWARD, 10)).singleElement()
                    .satisfies(stored -> assertThat(stored.stream()).isEqualTo("nul\u0000name"));
            assertThat(store.listStreams("nul", null, 10).streams()).extracting(info -> info.stream())
                    .containsExactly("nul", "nul\u0000name");
        }
    }

    private SqliteConfig.Builder config() {
        return SqliteConfig.builder(directory.resolve("events.db"));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("events.db"));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
