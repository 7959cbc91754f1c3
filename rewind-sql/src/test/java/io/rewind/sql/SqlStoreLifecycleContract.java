package io.rewind.sql;

import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static io.rewind.testkit.StoreAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.StreamInfo;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.testkit.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What both SQL stores do beyond the EventStore contract: create their schema with its version,
 * keep everything across a reopen, refuse a newer schema, and clamp a clock that steps back.
 * Each subclass supplies a fresh database per test.
 */
abstract class SqlStoreLifecycleContract {

    /** Opens a store over this test's database (the same one each time), timestamping with {@code clock}. */
    protected abstract SqlEventStore open(Clock clock);

    /** A connection to this test's database, outside any store, in auto-commit mode. */
    protected abstract Connection connect() throws SQLException;

    /** The store's dialect, for a transaction of the test's own. */
    protected abstract SqlDialect dialect();

    /** Makes the database reject (with an error mentioning "poison") every event of type {@code type}. */
    protected abstract void rejectEventsOfType(String type) throws SQLException;

    @Test
    void aNewDatabaseGetsTheSchemaAtTheCurrentVersion() throws SQLException {
        open(Clock.systemUTC()).close();

        assertThat(storedVersions()).containsExactly(Schema.CURRENT_VERSION);
    }

    @Test
    void aReopenedStoreHasEverythingAndGoesOnFromItsHead() throws SQLException {
        List<EventData> first = events("first", 3);
        AppendResult original;
        List<RecordedEvent> before;
        try (SqlEventStore store = open(Clock.systemUTC())) {
            original = store.append("order-1", ExpectedVersion.noStream(), first);
            store.append("order-2", ExpectedVersion.noStream(), event("other"));
            before = store.readAll(0, Direction.FORWARD, 10);
        }

        try (SqlEventStore store = open(Clock.systemUTC())) {
            assertThat(store.readAll(0, Direction.FORWARD, 10)).isEqualTo(before);
            assertThat(store.headPosition()).isEqualTo(3);
            assertThat(store.streamInfo("order-1")).contains(new StreamInfo("order-1", 2, 0, 2));
            assertThat(store.append("order-1", ExpectedVersion.noStream(), first)).as("a retry after the reopen")
                    .isEqualTo(original);
            assertThat(store.append("order-1", ExpectedVersion.exactly(2), event("next")).firstPosition()).isEqualTo(4);
        }
        assertThat(storedVersions()).containsExactly(Schema.CURRENT_VERSION);
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedAndLeftAlone() throws SQLException {
        try (SqlEventStore store = open(Clock.systemUTC())) {
            store.append("kept", ExpectedVersion.noStream(), event("kept"));
        }
        int newer = Schema.CURRENT_VERSION + 1;
        execute("UPDATE rewind_schema_version SET version = " + newer);

        SchemaVersionException refused = catchThrowableOfType(SchemaVersionException.class, () -> open(Clock.systemUTC()));

        assertThat(refused).as("opening a database at schema version " + newer).isNotNull();
        assertThat(refused.storedVersion()).isEqualTo(newer);
        assertThat(refused.supportedVersion()).isEqualTo(Schema.CURRENT_VERSION);
        assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(refused.getMessage()).contains("schema version " + newer).contains("upgrade Rewind");
        assertThat(storedVersions()).containsExactly(newer);
        assertThat(count("rewind_events")).isEqualTo(1);
    }

    @Test
    void timestampsStayPutWhenTheClockStepsBack() {
        SteppingClock clock = new SteppingClock(Instant.parse("2030-01-01T10:00:00.123456789Z"));
        try (SqlEventStore store = open(clock)) {
            store.append("timed", ExpectedVersion.any(), event("first"));
            clock.set(Instant.parse("2030-01-01T09:00:00Z"));
            store.append("timed", ExpectedVersion.any(), event("after the step back"));
            clock.set(Instant.parse("2030-01-01T11:00:00Z"));
            store.append("timed", ExpectedVersion.any(), event("later"));

            assertThat(store.readAll(0, Direction.FORWARD, 10)).extracting(RecordedEvent::timestamp).containsExactly(
                    Instant.parse("2030-01-01T10:00:00.123456Z"), Instant.parse("2030-01-01T10:00:00.123456Z"),
                    Instant.parse("2030-01-01T11:00:00Z"));
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2030-01-01T10:00:00.1234561Z"))).isEqualTo(2);
            assertThat(store.firstPositionAtOrAfter(Instant.parse("2030-01-01T10:00:00.123456Z"))).isZero();
        }
    }

    @Test
    void anAppendTheDatabaseRejectsFailsAloneAndTheOthersOfItsGroupCommitAreStored() throws Exception {
        try (SqlEventStore store = open(Clock.systemUTC()); Connection other = connect()) {
            rejectEventsOfType("poisoned");
            // Another transaction holds the head row, so the appends queue up and are committed as a group.
            AppendTransaction holder = AppendTransaction.begin(other, dialect(), Clock.systemUTC());
            List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
            for (String type : List.of("good", "good", "poisoned", "good")) {
                futures.add(store.appendAsync(AppendRequest.to("group", ExpectedVersion.any(), event(type, type))));
            }
            holder.rollback();

            StoreUnavailableException rejected = assertFails(() -> EventStore.await(futures.get(2)),
                    StoreUnavailableException.class, ErrorCode.UNAVAILABLE);
            assertThat(rejected.getMessage()).contains("poison");
            List<Long> stored = new ArrayList<>();
            for (int i : new int[] {0, 1, 3}) {
                stored.add(Await.result(futures.get(i)).firstPosition());
            }
            assertThat(stored).containsExactlyInAnyOrder(0L, 1L, 2L);
            assertThat(store.readAll(0, Direction.FORWARD, 10)).extracting(RecordedEvent::type)
                    .containsExactly("good", "good", "good");
            assertThat(store.streamInfo("group")).contains(new StreamInfo("group", 2, 0, 2));
        }
    }

    @Test
    void oneTransactionDecidesItsAppendsInMemoryAgainstEachOtherAndARefusedOneFailsOnlyItself() throws Exception {
        UUID firstId = UUID.randomUUID();
        AppendRequest first = AppendRequest.to("batch", ExpectedVersion.noStream(),
                EventData.of(firstId, "first", new byte[] {1}));
        List<AppendRequest> batch = List.of(
                first,
                AppendRequest.to("batch", ExpectedVersion.noStream(), event("refused: the stream exists now")),
                AppendRequest.to("batch", ExpectedVersion.exactly(0), event("second")),
                first,
                AppendRequest.to("elsewhere", ExpectedVersion.any(), EventData.of(firstId, "first", new byte[] {1})),
                AppendRequest.builder().check("batch", ExpectedVersion.exactly(1))
                        .append("checked", ExpectedVersion.noStream(), event("third")).build(),
                AppendRequest.builder().check("batch", ExpectedVersion.exactly(0))
                        .append("checked", ExpectedVersion.any(), event("refused: stale check")).build());
        try (SqlEventStore store = open(Clock.systemUTC()); Connection connection = connect()) {
            store.append("before", ExpectedVersion.noStream(), event("zero"));
            AppendTransaction transaction = AppendTransaction.begin(connection, dialect(), Clock.systemUTC());
            List<Object> outcomes = transaction.appendAll(batch);
            assertThat(transaction.commit()).isEqualTo(3);

            assertThat(((AppendResult) outcomes.get(0)).firstPosition()).isEqualTo(1);
            assertThat(outcomes.get(1)).isInstanceOf(WrongExpectedVersionException.class);
            assertThat(((AppendResult) outcomes.get(2)).firstPosition()).isEqualTo(2);
            assertThat(outcomes.get(3)).as("a retry inside the batch answers the original").isEqualTo(outcomes.get(0));
            assertThat(outcomes.get(4)).isInstanceOf(IdempotencyConflictException.class);
            assertThat(((AppendResult) outcomes.get(5)).firstPosition()).isEqualTo(3);
            assertThat(outcomes.get(6)).isInstanceOf(WrongExpectedVersionException.class);
            assertThat(store.readAll(0, Direction.FORWARD, 10)).extracting(RecordedEvent::position, RecordedEvent::stream,
                    RecordedEvent::version).containsExactly(tuple(0L, "before", 0L), tuple(1L, "batch", 0L),
                    tuple(2L, "batch", 1L), tuple(3L, "checked", 0L));
            assertThat(store.streamInfo("batch")).contains(new StreamInfo("batch", 1, 1, 2));
            assertThat(store.streamInfo("checked")).contains(new StreamInfo("checked", 0, 3, 3));
            assertThat(store.headPosition()).isEqualTo(3);
        }
    }

    @Test
    void aBatchLargerThanOneInsertStatementAndOneRoundTripIsStoredWhole() throws Exception {
        // More rows than one multi-row insert takes, and more parameters than one round trip carries.
        int appends = StatementGroup.MAX_PARAMETERS_TOGETHER / 8 + 7;
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < appends; i++) {
            // Every other append goes to one shared stream, so that the upsert also spans chunks.
            batch.add(AppendRequest.to(i % 2 == 0 ? "shared" : "own-" + i, ExpectedVersion.any(), event("e" + i)));
        }
        try (SqlEventStore store = open(Clock.systemUTC()); Connection connection = connect()) {
            AppendTransaction transaction = AppendTransaction.begin(connection, dialect(), Clock.systemUTC());
            List<Object> outcomes = transaction.appendAll(batch);
            assertThat(transaction.commit()).isEqualTo(appends - 1);

            assertThat(outcomes).extracting(outcome -> ((AppendResult) outcome).firstPosition())
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, appends).boxed().toList());
            assertThat(store.readAll(0, Direction.FORWARD, appends + 1)).extracting(RecordedEvent::position)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, appends).boxed().toList());
            assertThat(store.streamInfo("shared")).contains(new StreamInfo("shared", (appends + 1) / 2 - 1, 0,
                    appends % 2 == 0 ? appends - 2 : appends - 1));
        }
    }

    private List<Integer> storedVersions() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM rewind_schema_version")) {
            List<Integer> versions = new ArrayList<>();
            while (rows.next()) {
                versions.add(rows.getInt(1));
            }
            return versions;
        }
    }

    private long count(String table) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            row.next();
            return row.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** A clock a test sets by hand. Thread-safe. */
    static final class SteppingClock extends Clock {
        private volatile Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a stepping clock stays in UTC");
        }
    }
}
