package io.rewind.sql;

import static io.rewind.testkit.StoreAssertions.assertDenseAndOrdered;
import static io.rewind.testkit.StoreAssertions.assertWrongExpectedVersion;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.testkit.Await;
import io.rewind.testkit.ConcurrentTasks;
import io.rewind.testkit.RecordingListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many servers, one database: two stores with pools of their own over the same PostgreSQL schema,
 * as two Rewind servers would be. Whatever is appended through either is seen by both, in one
 * global order; conditions and retries hold across them; LISTEN/NOTIFY wakes the other one.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresSharedDatabaseTest extends PostgresSchemaTest {

    @Test
    void eventsAppendedThroughEitherStoreReachSubscribersOnBothInOneGlobalOrder() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        RecordingListener onFirst = subscribe(first, SubscriptionRequest.fromBeginning());
        RecordingListener onSecond = subscribe(second, SubscriptionRequest.fromBeginning());
        onFirst.awaitCaughtUp();
        onSecond.awaitCaughtUp();

        ConcurrentTasks.run(4, Duration.ofMinutes(2), thread -> {
            SqlEventStore store = thread % 2 == 0 ? first : second;
            for (int i = 0; i < 25; i++) {
                store.append("writer-" + thread, ExpectedVersion.any(), events("w" + thread + "-" + i, 1 + i % 3));
            }
        });

        List<RecordedEvent> log = first.readAll(0, Direction.FORWARD, 1000);
        assertThat(second.readAll(0, Direction.FORWARD, 1000)).isEqualTo(log);
        assertDenseAndOrdered(log);
        for (RecordingListener listener : List.of(onFirst, onSecond)) {
            listener.awaitCount(log.size());
            listener.assertUnbrokenChainFrom(-1);
            assertThat(listener.recordedEvents()).containsExactlyElementsOf(log);
        }
    }

    @Test
    void aCommitThroughOneStoreWakesTheOtherThroughItsChannel() {
        SqlEventStore writer = open();
        AtomicInteger wakeUps = new AtomicInteger();
        PostgresConfig config = database.config(schema).build();
        closeAfterTest(PostgresNotifications.start("test listener", () -> database.connect(null),
                new PostgresDialect(PostgresEventStore.channel(config)), wakeUps::incrementAndGet));
        // The first wake-up comes when listening starts; after it, each is a commit's notification.
        Await.until(() -> wakeUps.get() == 1, "the listener is listening");

        writer.append("notified", ExpectedVersion.noStream(), event("notified"));

        Await.until(() -> wakeUps.get() == 2, Await.DEFAULT_TIMEOUT, () -> "a wake-up for the commit, have " + wakeUps.get());
    }

    @Test
    void anExpectedVersionIsCheckedAgainstAppendsThroughTheOtherStore() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        first.append("order-1", ExpectedVersion.noStream(), event("placed"));

        assertWrongExpectedVersion(() -> second.append("order-1", ExpectedVersion.noStream(), event("placed again")),
                "order-1", ExpectedVersion.noStream(), 0);
        second.append("order-1", ExpectedVersion.exactly(0), event("shipped"));
        assertWrongExpectedVersion(() -> first.append("order-1", ExpectedVersion.exactly(0), event("cancelled")),
                "order-1", ExpectedVersion.exactly(0), 1);
    }

    @Test
    void contendedAppendsThroughTwoStoresHaveExactlyOneWinnerPerVersion() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        int target = 40;
        Map<Long, Integer> winners = new ConcurrentHashMap<>();

        ConcurrentTasks.run(4, Duration.ofMinutes(2), thread -> {
            SqlEventStore store = thread % 2 == 0 ? first : second;
            long known = ExpectedVersion.NO_STREAM_VERSION;
            while (known < target - 1) {
                ExpectedVersion expected = known < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(known);
                try {
                    known = store.append("contended", expected, event("thread-" + thread)).lastVersion("contended");
                    assertThat(winners.putIfAbsent(known, thread)).as("a second winner for version " + known).isNull();
                } catch (WrongExpectedVersionException lost) {
                    assertThat(lost.actualVersion()).isGreaterThan(known);
                    known = lost.actualVersion();
                }
            }
        });

        assertThat(winners).hasSize(target);
        assertThat(first.readStream("contended", 0, Direction.FORWARD, 100)).hasSize(target);
    }

    @Test
    void aRetryThroughTheOtherStoreReturnsTheOriginalResult() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        List<EventData> batch = events("retried", 3);
        AppendResult original = first.append("retried", ExpectedVersion.noStream(), batch);

        AppendResult retry = second.append("retried", ExpectedVersion.noStream(), batch);

        assertThat(retry).isEqualTo(original);
        assertThat(second.headPosition()).isEqualTo(2);
    }

    @Test
    void fromTheEndStartsAfterEventsTheOtherStoreAppendedJustBefore() {
        SqlEventStore first = open();
        SqlEventStore second = open();
        RecordingListener listener = new RecordingListener();

        first.append("before", ExpectedVersion.noStream(), events("before", 3));
        Subscription subscription = closeAfterTest(second.subscribe(SubscriptionRequest.fromEnd(), listener));
        first.append("after", ExpectedVersion.noStream(), event("after"));

        assertThat(subscription.lastPosition()).isGreaterThanOrEqualTo(2);
        assertThat(listener.awaitCount(1)).extracting(delivered -> delivered.event().position()).containsExactly(3L);
        listener.assertUnbrokenChainFrom(2);
    }

    @Test
    void timestampsNeverDecreaseAlongTheLogWhenTheServersClocksDisagree() {
        Instant now = Instant.now();
        SqlEventStore ahead = open(Clock.fixed(now.plus(Duration.ofHours(1)), ZoneOffset.UTC));
        SqlEventStore behind = open(Clock.fixed(now, ZoneOffset.UTC));

        ahead.append("clocks", ExpectedVersion.any(), event("ahead"));
        behind.append("clocks", ExpectedVersion.any(), event("behind"));

        List<RecordedEvent> log = behind.readAll(0, Direction.FORWARD, 10);
        assertThat(log).extracting(RecordedEvent::timestamp).containsExactly(
                log.get(0).timestamp(), log.get(0).timestamp());
        assertThat(behind.firstPositionAtOrAfter(now.plus(Duration.ofMinutes(30)))).isZero();
    }

    @Test
    void aStoreCarriesOnAfterTheServerDroppedItsConnections() throws SQLException {
        SqlEventStore writer = open();
        SqlEventStore reader = open();
        RecordingListener listener = subscribe(reader, SubscriptionRequest.fromBeginning());
        writer.append("before", ExpectedVersion.noStream(), event("before"));
        listener.awaitCount(1);

        // Each store has a writer connection, at least one reader and its listener.
        assertThat(terminateStoreConnections()).as("backends of the two stores terminated").isGreaterThanOrEqualTo(6);

        writer.append("after", ExpectedVersion.noStream(), event("after"));
        assertThat(listener.awaitCount(2)).extracting(delivered -> delivered.event().stream())
                .containsExactly("before", "after");
        listener.assertUnbrokenChainFrom(-1);
        assertThat(reader.readStream("after", 0, Direction.FORWARD, 10)).hasSize(1);
    }

    /** Terminates every backend the stores opened (application name "rewind"); returns how many. */
    private int terminateStoreConnections() throws SQLException {
        try (Connection admin = database.connect(null);
                PreparedStatement statement = admin.prepareStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                + " WHERE application_name = 'rewind' AND datname = current_database()")) {
            int terminated = 0;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    terminated += rows.getBoolean(1) ? 1 : 0;
                }
            }
            return terminated;
        }
    }
}
