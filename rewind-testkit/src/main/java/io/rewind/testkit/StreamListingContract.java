package io.rewind.testkit;

import static io.rewind.testkit.StoreAssertions.assertWrongExpectedVersion;
import static io.rewind.testkit.TestEvents.event;
import static io.rewind.testkit.TestEvents.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.Limits;
import io.rewind.api.StreamInfo;
import io.rewind.api.StreamPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Stream info (head version, first and last position) and stream listing: by name prefix, in
 * {@link Limits#STREAM_NAME_ORDER}, paged with the {@code after} cursor.
 */
public interface StreamListingContract extends ContractFixture {

    @Test
    default void streamInfoIsAbsentForAStreamWithNoEvents() {
        store().append("present", ExpectedVersion.any(), event("present"));

        assertThat(store().streamInfo("absent")).isEmpty();
        assertThat(store().streamInfo("presen")).isEmpty();
        assertThat(store().streamInfo("present-not")).isEmpty();
    }

    @Test
    default void streamInfoGivesTheHeadVersionAndTheFirstAndLastPosition() {
        store().append("side", ExpectedVersion.any(), event("side-0"));
        store().append("main", ExpectedVersion.any(), events("main-a", 2));
        store().append("side", ExpectedVersion.any(), events("side-1", 3));
        store().append("main", ExpectedVersion.any(), event("main-b"));

        assertThat(store().streamInfo("main")).contains(new StreamInfo("main", 2, 1, 6));
        assertThat(store().streamInfo("side")).contains(new StreamInfo("side", 3, 0, 5));
        assertThat(store().streamInfo("main").orElseThrow().eventCount()).isEqualTo(3);
    }

    @Test
    default void streamInfoIsStillAbsentAfterARefusedFirstAppend() {
        assertWrongExpectedVersion(() -> store().append("refused", ExpectedVersion.exactly(3), event("refused")),
                "refused", ExpectedVersion.exactly(3), ExpectedVersion.NO_STREAM_VERSION);

        assertThat(store().streamInfo("refused")).isEmpty();
    }

    @Test
    default void aFreshStoreListsNoStreams() {
        StreamPage page = store().listStreams("", null, 10);

        assertThat(page.streams()).isEmpty();
        assertThat(page.nextAfter()).isEmpty();
    }

    @Test
    default void listStreamsWithAPrefixListsOnlyThoseStreamsInNameOrderWithTheirInfo() {
        store().append(AppendRequest.builder()
                .append("orders", ExpectedVersion.noStream(), event("orders"))
                .append("order-2", ExpectedVersion.noStream(), events("order-2", 2))
                .append("invoice-1", ExpectedVersion.noStream(), event("invoice-1"))
                .append("order-1", ExpectedVersion.noStream(), event("order-1"))
                .append("order", ExpectedVersion.noStream(), event("order"))
                .build());

        StreamPage page = store().listStreams("order-", null, 10);

        assertThat(page.streams()).containsExactly(new StreamInfo("order-1", 0, 4, 4),
                new StreamInfo("order-2", 1, 1, 2));
        assertThat(page.nextAfter()).isEmpty();
        assertThat(store().listStreams("order", "", 10).streams()).extracting(StreamInfo::stream)
                .containsExactly("order", "order-1", "order-2", "orders");
        assertThat(store().listStreams("", null, 10).streams()).extracting(StreamInfo::stream)
                .containsExactly("invoice-1", "order", "order-1", "order-2", "orders");
        assertThat(store().listStreams("nothing", null, 10).streams()).isEmpty();
    }

    @Test
    default void listStreamsPagesThroughEveryStreamWithTheAfterCursor() {
        List<String> names = appendStreamsNamed("stream-", 25);
        store().append("other", ExpectedVersion.any(), event("other"));

        List<String> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Optional<String> after = Optional.empty();
        do {
            StreamPage page = store().listStreams("stream-", after.orElse(null), 10);
            page.streams().forEach(info -> listed.add(info.stream()));
            pageSizes.add(page.streams().size());
            after = page.nextAfter();
            after.ifPresent(cursor -> assertThat(cursor).isEqualTo(listed.get(listed.size() - 1)));
        } while (after.isPresent() && pageSizes.size() < 10);

        assertThat(pageSizes).containsExactly(10, 10, 5);
        assertThat(listed).containsExactlyElementsOf(names);
    }

    @Test
    default void aPageThatEndsExactlyAtTheLastStreamIsTheLastPage() {
        List<String> names = appendStreamsNamed("exact-", 20);

        StreamPage first = store().listStreams("exact-", null, 10);
        StreamPage second = store().listStreams("exact-", first.nextAfter().orElseThrow(), 10);

        assertThat(first.nextAfter()).contains(names.get(9));
        assertThat(second.streams()).extracting(StreamInfo::stream).containsExactlyElementsOf(names.subList(10, 20));
        assertThat(second.nextAfter()).isEmpty();
    }

    @Test
    default void theAfterCursorNeedNotBeTheNameOfAStream() {
        appendStreamsNamed("cursor-", 5);

        assertThat(store().listStreams("cursor-", "cursor-01x", 10).streams()).extracting(StreamInfo::stream)
                .containsExactly("cursor-02", "cursor-03", "cursor-04");
        assertThat(store().listStreams("cursor-", "a", 10).streams()).hasSize(5);
        assertThat(store().listStreams("cursor-", "cursor-99", 10).streams()).isEmpty();
        assertThat(store().listStreams("cursor-", "z", 10).streams()).isEmpty();
    }

    @Test
    default void streamsAreListedInCodePointOrderNotUtf16Order() {
        // U+FB01 sorts before U+1F600 by code point (and UTF-8 bytes), after it by UTF-16 units.
        List<String> names = new ArrayList<>(List.of("z", "ﬁ", "😀", "B", "a", "é", "aa", "~"));
        AppendRequest.Builder request = AppendRequest.builder();
        names.forEach(name -> request.append(name, ExpectedVersion.noStream(), event(name)));
        store().append(request.build());
        names.sort(Limits.STREAM_NAME_ORDER);
        assertThat(names.indexOf("ﬁ")).isLessThan(names.indexOf("😀"));

        assertThat(store().listStreams("", null, 100).streams()).extracting(StreamInfo::stream)
                .containsExactlyElementsOf(names);
        List<String> paged = new ArrayList<>();
        String after = null;
        for (int page = 0; page < names.size(); page++) {
            List<StreamInfo> one = store().listStreams("", after, 1).streams();
            if (one.isEmpty()) {
                break;
            }
            after = one.get(0).stream();
            paged.add(after);
        }
        assertThat(paged).containsExactlyElementsOf(names);
    }

    /** Streams {@code prefix00} ... in one append, one event each; returns their names in order. */
    private List<String> appendStreamsNamed(String prefix, int count) {
        AppendRequest.Builder request = AppendRequest.builder();
        List<String> names = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            String name = String.format("%s%02d", prefix, i);
            request.append(name, ExpectedVersion.noStream(), event(name));
            names.add(0, name);
        }
        store().append(request.build());
        return names;
    }
}
