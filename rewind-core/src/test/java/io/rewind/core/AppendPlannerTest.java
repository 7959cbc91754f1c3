package io.rewind.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AppendPlannerTest {

    private final Log log = new Log();
    private final Supplier<UUID> ids = new CountingIds();

    @Test
    void aNewAppendGetsConsecutiveVersionsAfterEachStreamsHead() {
        log.store(AppendRequest.to("a", ExpectedVersion.any(), event("a0"), event("a1")));
        EventData a2 = event("a2");
        EventData b0 = event("b0");

        AppendPlan plan = AppendPlanner.plan(AppendRequest.builder()
                .append("a", ExpectedVersion.exactly(1), a2)
                .append("b", ExpectedVersion.noStream(), b0)
                .build(), log, ids);

        assertThat(plan).isEqualTo(new AppendPlan.Write(List.of(
                new AppendPlan.PlannedEvent("a", 2, a2.id(), a2),
                new AppendPlan.PlannedEvent("b", 0, b0.id(), b0))));
    }

    @Test
    void eventsWithoutAnIdGetOneFromTheGenerator() {
        EventData anonymous = EventData.of("t", bytes("x"));

        AppendPlan.Write plan = (AppendPlan.Write) AppendPlanner.plan(
                AppendRequest.to("s", ExpectedVersion.any(), anonymous, anonymous), log, ids);

        assertThat(plan.events()).extracting(AppendPlan.PlannedEvent::id)
                .containsExactly(new UUID(0, 1), new UUID(0, 2));
    }

    @Test
    void aFailedExpectedVersionNamesStreamExpectedAndActual() {
        log.store(AppendRequest.to("a", ExpectedVersion.any(), event("a0")));

        WrongExpectedVersionException failure = catchThrowableOfType(WrongExpectedVersionException.class,
                () -> AppendPlanner.plan(AppendRequest.builder()
                        .append("b", ExpectedVersion.noStream(), event("b0"))
                        .append("a", ExpectedVersion.exactly(3), event("a1"))
                        .build(), log, ids));

        assertThat(failure.stream()).isEqualTo("a");
        assertThat(failure.expected()).isEqualTo(ExpectedVersion.exactly(3));
        assertThat(failure.actualVersion()).isZero();
    }

    @Test
    void aCheckMustHoldOnTheStreamItNames() {
        log.store(AppendRequest.to("checked", ExpectedVersion.any(), event("c0"), event("c1")));
        AppendRequest.Builder holding = AppendRequest.builder().append("w", ExpectedVersion.any(), event("w0"))
                .check("checked", ExpectedVersion.exactly(1)).check("absent", ExpectedVersion.noStream());

        assertThat(AppendPlanner.plan(holding.build(), log, ids)).isInstanceOf(AppendPlan.Write.class);
        WrongExpectedVersionException failure = catchThrowableOfType(WrongExpectedVersionException.class,
                () -> AppendPlanner.plan(AppendRequest.builder().append("w", ExpectedVersion.any(), event("w0"))
                        .check("checked", ExpectedVersion.noStream()).build(), log, ids));

        assertThat(failure.stream()).isEqualTo("checked");
        assertThat(failure.expected()).isEqualTo(ExpectedVersion.noStream());
        assertThat(failure.actualVersion()).isEqualTo(1);
    }

    @Test
    void anAppendWhoseEventsAreAllStoredIsARetryWhateverItsConditionsSayNow() {
        AppendRequest original = AppendRequest.builder()
                .append("a", ExpectedVersion.noStream(), event("a0"), event("a1"))
                .append("b", ExpectedVersion.noStream(), event("b0"))
                .check("c", ExpectedVersion.noStream())
                .build();
        AppendResult stored = log.store(original);
        log.store(AppendRequest.to("c", ExpectedVersion.any(), event("c0")));
        log.store(AppendRequest.to("a", ExpectedVersion.any(), event("a2")));

        AppendPlan plan = AppendPlanner.plan(original, log, ids);

        assertThat(plan).isEqualTo(new AppendPlan.Retry(stored));
    }

    @Test
    void storedIdsWithOtherContentAreAConflict() {
        EventData original = event("original");
        log.store(AppendRequest.to("s", ExpectedVersion.any(), original));

        assertConflict(AppendRequest.to("s", ExpectedVersion.any(),
                new EventData(original.id(), "t", bytes("changed"), null)), original.id(), "other content");
        assertConflict(AppendRequest.to("s", ExpectedVersion.any(),
                new EventData(original.id(), "other-type", bytes("original"), null)), original.id(), "other content");
        assertConflict(AppendRequest.to("s", ExpectedVersion.any(), original.withMetadata(bytes("m"))),
                original.id(), "other content");
        assertConflict(AppendRequest.to("elsewhere", ExpectedVersion.any(), original), original.id(),
                "in stream 's', not 'elsewhere'");
    }

    @Test
    void storedIdsInAnotherOrderAreAConflict() {
        EventData first = event("first");
        EventData second = event("second");
        log.store(AppendRequest.to("s", ExpectedVersion.any(), first, second));

        assertConflict(AppendRequest.to("s", ExpectedVersion.any(), second, first), first.id(), "another order");
    }

    @Test
    void aMixOfStoredAndNewEventsIsAConflict() {
        EventData stored = event("stored");
        log.store(AppendRequest.to("s", ExpectedVersion.any(), stored));

        assertConflict(AppendRequest.to("s", ExpectedVersion.any(), stored, event("new")), stored.id(),
                "only some events");
        assertConflict(AppendRequest.to("s", ExpectedVersion.any(), event("new"), stored), stored.id(),
                "only some events");
        assertConflict(AppendRequest.to("s", ExpectedVersion.any(), stored, EventData.of("t", bytes("anonymous"))),
                stored.id(), "only some events");
    }

    private void assertConflict(AppendRequest request, UUID id, String reason) {
        IdempotencyConflictException conflict = catchThrowableOfType(IdempotencyConflictException.class,
                () -> AppendPlanner.plan(request, log, ids));

        assertThat(conflict).as("conflict for " + request).isNotNull();
        assertThat(conflict.eventId()).isEqualTo(id);
        assertThat(conflict.getMessage()).contains(id.toString()).contains(reason);
    }

    private static EventData event(String text) {
        return new EventData(UUID.randomUUID(), "t", bytes(text), null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Ids 0-1, 0-2, ...: predictable, so a test can name the ids it expects. */
    private static final class CountingIds implements Supplier<UUID> {
        private long next = 1;

        @Override
        public UUID get() {
            return new UUID(0, next++);
        }
    }

    /** The smallest store that can hold what the planner decides: a list in global order. */
    private final class Log implements StoreState {
        private final List<RecordedEvent> events = new ArrayList<>();
        private final Map<String, Long> heads = new HashMap<>();

        AppendResult store(AppendRequest request) {
            AppendPlan.Write plan = (AppendPlan.Write) AppendPlanner.plan(request, this, ids);
            List<AppendResult.Written> written = new ArrayList<>();
            for (AppendPlan.PlannedEvent event : plan.events()) {
                long position = events.size();
                events.add(new RecordedEvent(event.stream(), event.version(), position, event.id(),
                        event.data().type(), Instant.EPOCH, event.data().data(), event.data().metadata()));
                heads.put(event.stream(), event.version());
                written.add(new AppendResult.Written(event.stream(), event.version(), position, event.id()));
            }
            return new AppendResult(written);
        }

        @Override
        public long currentVersion(String stream) {
            return heads.getOrDefault(stream, ExpectedVersion.NO_STREAM_VERSION);
        }

        @Override
        public Optional<RecordedEvent> eventById(UUID id) {
            return events.stream().filter(event -> event.id().equals(id)).findFirst();
        }
    }
}
