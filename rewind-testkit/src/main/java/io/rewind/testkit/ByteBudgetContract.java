package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventPage;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.ReadOptions;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamListOptions;
import io.rewind.api.StreamPage;
import io.rewind.api.StreamInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The byte budget of reads and listings: what counts ({@link ReadOptions#sizeOf}: data plus
 * metadata; a stream's name in UTF-8 for listings), a cut exactly before the event that would
 * exceed it, at least one event, the same backwards, and a next cursor that continues the read.
 */
public interface ByteBudgetContract extends ContractFixture {

    /** Data sizes of the budget stream's events; each has 10 bytes of metadata, so they count 110, 210, 310, 410. */
    int[] DATA_SIZES = {100, 200, 300, 400};

    private static EventData sized(int dataBytes) {
        return new EventData(UUID.randomUUID(), TestEvents.TYPE, new byte[dataBytes], new byte[10]);
    }

    /** Appends the budget stream, with events of another stream between them in the global order. */
    private void appendSized() {
        for (int size : DATA_SIZES) {
            store().append("budget", ExpectedVersion.any(), sized(size));
            store().append("other", ExpectedVersion.any(), sized(1));
        }
    }

    private static List<Long> versions(EventPage page) {
        return page.events().stream().map(RecordedEvent::version).toList();
    }

    private static List<Long> positions(EventPage page) {
        return page.events().stream().map(RecordedEvent::position).toList();
    }

    @Test
    default void whatCountsIsDataPlusMetadata() {
        appendSized();

        EventPage page = store().readStream("budget", ReadOptions.forward());
        assertThat(page.events().stream().map(ReadOptions::sizeOf).toList()).containsExactly(110L, 210L, 310L, 410L);
        assertThat(page.byteBudgetReached()).isFalse();
        assertThat(page.next()).hasValue(4);
    }

    @Test
    default void aStreamReadStopsExactlyBeforeTheEventThatWouldExceedTheBudget() {
        appendSized();

        EventPage exact = store().readStream("budget", ReadOptions.forward().withMaxBytes(110 + 210));
        assertThat(versions(exact)).containsExactly(0L, 1L);
        assertThat(exact.byteBudgetReached()).isTrue();
        assertThat(exact.next()).hasValue(2);

        EventPage oneShort = store().readStream("budget", ReadOptions.forward().withMaxBytes(110 + 210 - 1));
        assertThat(versions(oneShort)).containsExactly(0L);
        assertThat(oneShort.byteBudgetReached()).isTrue();

        EventPage all = store().readStream("budget", ReadOptions.forward().withMaxBytes(110 + 210 + 310 + 410));
        assertThat(versions(all)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(all.byteBudgetReached()).as("nothing was left out").isFalse();
    }

    @Test
    default void aReadAlwaysReturnsTheFirstEventEvenOverTheBudget() {
        appendSized();

        EventPage zero = store().readStream("budget", ReadOptions.from(3, Direction.FORWARD).withMaxBytes(0));
        assertThat(versions(zero)).containsExactly(3L);
        assertThat(zero.byteBudgetReached()).as("no event followed that could have been cut").isFalse();

        EventPage small = store().readStream("budget", ReadOptions.from(1, Direction.FORWARD).withMaxBytes(50));
        assertThat(versions(small)).containsExactly(1L);
        assertThat(small.byteBudgetReached()).isTrue();
        assertThat(small.next()).hasValue(2);
    }

    @Test
    default void aBackwardReadIsCutTheSameWay() {
        appendSized();

        EventPage page = store().readStream("budget", ReadOptions.backward().withMaxBytes(410 + 310));
        assertThat(versions(page)).containsExactly(3L, 2L);
        assertThat(page.byteBudgetReached()).isTrue();
        assertThat(page.next()).hasValue(1);

        EventPage rest = store().readStream("budget", ReadOptions.from(1, Direction.BACKWARD).withMaxBytes(10_000));
        assertThat(versions(rest)).containsExactly(1L, 0L);
        assertThat(rest.byteBudgetReached()).isFalse();
        assertThat(rest.next()).as("nothing before version 0").isEqualTo(OptionalLong.empty());
    }

    @Test
    default void aReadOfTheWholeStoreIsCutTheSameWayBothWays() {
        appendSized();
        // Global order: budget-0 (110), other (11), budget-1 (210), other (11), budget-2 (310), ...

        EventPage forward = store().readAll(ReadOptions.forward().withMaxBytes(110 + 11 + 210));
        assertThat(positions(forward)).containsExactly(0L, 1L, 2L);
        assertThat(forward.byteBudgetReached()).isTrue();
        assertThat(forward.next()).hasValue(3);

        EventPage backward = store().readAll(ReadOptions.backward().withMaxBytes(11 + 410 + 11));
        assertThat(positions(backward)).containsExactly(7L, 6L, 5L);
        assertThat(backward.byteBudgetReached()).isTrue();
        assertThat(backward.next()).hasValue(4);
    }

    @Test
    default void theEventLimitAndTheBudgetBothApplyWhicheverIsFirst() {
        appendSized();

        EventPage byLimit = store().readStream("budget", ReadOptions.forward().withMaxEvents(2).withMaxBytes(1_000_000));
        assertThat(versions(byLimit)).containsExactly(0L, 1L);
        assertThat(byLimit.byteBudgetReached()).as("the limit stopped it").isFalse();

        EventPage byBudget = store().readStream("budget", ReadOptions.forward().withMaxEvents(3).withMaxBytes(200));
        assertThat(versions(byBudget)).containsExactly(0L);
        assertThat(byBudget.byteBudgetReached()).isTrue();
    }

    @Test
    default void followingTheNextCursorReadsEveryEventOnceInBothDirections() {
        appendSized();

        for (Direction direction : Direction.values()) {
            ReadOptions options = ReadOptions.from(direction == Direction.FORWARD ? 0 : EventStore.END, direction)
                    .withMaxBytes(300);
            List<Long> seen = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                EventPage page = store().readAll(options);
                seen.addAll(positions(page));
                if (page.next().isEmpty() || page.events().isEmpty()) {
                    break;
                }
                options = options.withFrom(page.next().getAsLong());
            }
            List<Long> expected = direction == Direction.FORWARD ? List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L)
                    : List.of(7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
            assertThat(seen).as("positions read " + direction + " page by page").isEqualTo(expected);
        }
    }

    /**
     * Events larger in total than a server's reply (4 MiB by default), under a larger budget: a
     * remote read must still return exactly what the embedded read returns.
     */
    @Test
    default void aBudgetLargerThanOneReplyReadsAsOneRead() {
        int eventBytes = 600 * 1024;
        for (int i = 0; i < 10; i++) {
            store().append("large", ExpectedVersion.any(),
                    new EventData(UUID.randomUUID(), "large", TestEvents.randomBytes(eventBytes, i), new byte[0]));
        }

        EventPage page = store().readStream("large", ReadOptions.forward().withMaxBytes(5_000_000));
        assertThat(versions(page)).as("5,000,000 bytes hold 8 events of 614,400").containsExactly(0L, 1L, 2L, 3L,
                4L, 5L, 6L, 7L);
        assertThat(page.byteBudgetReached()).isTrue();
        assertThat(page.events().get(7).dataEquals(TestEvents.randomBytes(eventBytes, 7))).isTrue();

        EventPage unbounded = store().readAll(ReadOptions.backward().withMaxBytes(ReadOptions.NO_BYTE_LIMIT));
        assertThat(positions(unbounded)).hasSize(10).startsWith(9L).endsWith(0L);
        assertThat(unbounded.byteBudgetReached()).isFalse();
    }

    @Test
    default void aListingIsCutByTheBytesOfStreamNames() {
        for (String name : List.of("s-a", "s-bb", "s-ccc", "s-流")) {
            store().append(name, ExpectedVersion.any(), TestEvents.event(name));
        }

        StreamPage two = store().listStreams(StreamListOptions.withPrefix("s-").withMaxBytes(3 + 4));
        assertThat(two.streams()).extracting(StreamInfo::stream).containsExactly("s-a", "s-bb");
        assertThat(two.nextAfter()).hasValue("s-bb");

        StreamPage rest = store().listStreams(StreamListOptions.withPrefix("s-").after("s-bb").withMaxBytes(5 + 5));
        assertThat(rest.streams()).extracting(StreamInfo::stream).as("'s-流' is 5 bytes of UTF-8")
                .containsExactly("s-ccc", "s-流");
        assertThat(rest.nextAfter()).isEmpty();

        StreamPage atLeastOne = store().listStreams(StreamListOptions.all().withMaxBytes(0));
        assertThat(atLeastOne.streams()).extracting(StreamInfo::stream).containsExactly("s-a");
        assertThat(atLeastOne.nextAfter()).hasValue("s-a");
    }
}
