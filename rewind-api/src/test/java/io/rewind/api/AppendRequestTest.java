package io.rewind.api;

import static io.rewind.api.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AppendRequestTest {

    private static final int MAX_EVENT_BYTES = 1000;

    @Test
    void theBuilderKeepsStreamsInTheOrderTheyWereFirstNamedAndMergesRepeats() {
        EventData b1 = event("b1");
        EventData a1 = event("a1");
        EventData b2 = event("b2");

        AppendRequest request = AppendRequest.builder()
                .append("b", ExpectedVersion.exactly(3), b1)
                .append("a", ExpectedVersion.noStream(), a1)
                .append("b", ExpectedVersion.exactly(3), b2)
                .check("c", ExpectedVersion.streamExists())
                .check("c", ExpectedVersion.streamExists())
                .build();

        assertThat(request.appends()).containsExactly(
                new AppendRequest.StreamAppend("b", ExpectedVersion.exactly(3), List.of(b1, b2)),
                new AppendRequest.StreamAppend("a", ExpectedVersion.noStream(), List.of(a1)));
        assertThat(request.checks()).containsExactly(
                new AppendRequest.StreamCheck("c", ExpectedVersion.streamExists()));
        assertThat(request.eventCount()).isEqualTo(3);
    }

    @Test
    void aStreamNamedWithTwoExpectedVersionsIsRefused() {
        AppendRequest.Builder builder = AppendRequest.builder().append("s", ExpectedVersion.any(), event("1"));

        assertRefused(() -> builder.append("s", ExpectedVersion.noStream(), event("2")), "'s'", "any", "no-stream");
    }

    @Test
    void aStreamCheckedWithTwoExpectedVersionsIsRefused() {
        AppendRequest.Builder builder = AppendRequest.builder().check("c", ExpectedVersion.exactly(1));

        assertRefused(() -> builder.check("c", ExpectedVersion.exactly(2)), "'c'", "1", "2");
    }

    @Test
    void aStreamBothWrittenAndCheckedIsRefusedInEitherOrder() {
        assertRefused(() -> AppendRequest.builder().append("s", ExpectedVersion.any(), event("1"))
                .check("s", ExpectedVersion.any()), "'s'", "both written and only checked");
        assertRefused(() -> AppendRequest.builder().check("s", ExpectedVersion.any())
                .append("s", ExpectedVersion.any(), event("1")), "'s'", "both written and only checked");
    }

    @Test
    void toBuildsAOneStreamRequestEqualToTheBuildersOne() {
        EventData first = event("1");
        EventData second = event("2");

        AppendRequest viaTo = AppendRequest.to("s", ExpectedVersion.exactly(0), first, second);
        AppendRequest viaBuilder = AppendRequest.builder().append("s", ExpectedVersion.exactly(0), first)
                .append("s", ExpectedVersion.exactly(0), second).build();

        assertThat(viaTo).isEqualTo(viaBuilder).hasSameHashCodeAs(viaBuilder);
        assertThat(viaTo.checks()).isEmpty();
        assertThat(viaTo).isNotEqualTo(AppendRequest.to("s", ExpectedVersion.exactly(0), second, first));
    }

    @Test
    void aBuiltRequestDoesNotChangeWithItsInputs() {
        List<EventData> events = new ArrayList<>(List.of(event("1")));
        AppendRequest.Builder builder = AppendRequest.builder().append("s", ExpectedVersion.any(), events);
        AppendRequest request = builder.build();

        events.add(event("2"));
        builder.append("t", ExpectedVersion.any(), event("3"));

        assertThat(request.eventCount()).isEqualTo(1);
        assertThat(request.appends()).hasSize(1);
        assertThatThrownBy(() -> request.appends().get(0).events().add(event("4")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void validateAcceptsAWellFormedRequest() {
        AppendRequest request = AppendRequest.builder()
                .append("s", ExpectedVersion.any(), event("1"), EventData.of("t", new byte[0]), EventData.of("t", new byte[0]))
                .check("c", ExpectedVersion.noStream())
                .build();

        request.validate(MAX_EVENT_BYTES);
    }

    @Test
    void validateRefusesAnAppendWithoutEvents() {
        assertRefused(() -> AppendRequest.builder().build().validate(MAX_EVENT_BYTES), "at least one event");
        assertRefused(() -> AppendRequest.builder().check("c", ExpectedVersion.any()).build().validate(MAX_EVENT_BYTES),
                "at least one event");
        assertRefused(() -> AppendRequest.builder().append("empty", ExpectedVersion.any(), List.of())
                .append("full", ExpectedVersion.any(), event("1")).build().validate(MAX_EVENT_BYTES),
                "'empty'", "no events");
    }

    @Test
    void validateRefusesMoreEventsThanTheLimit() {
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i <= Limits.MAX_EVENTS_PER_APPEND; i++) {
            events.add(EventData.of("t", new byte[0]));
        }

        assertRefused(() -> AppendRequest.to("s", ExpectedVersion.any(), events).validate(MAX_EVENT_BYTES),
                "100001 events", "100000");
        AppendRequest.to("s", ExpectedVersion.any(), events.subList(1, events.size())).validate(MAX_EVENT_BYTES);
    }

    @Test
    void validateRefusesBadNamesInAppendsAndChecks() {
        assertRefused(() -> AppendRequest.to("", ExpectedVersion.any(), event("1")).validate(MAX_EVENT_BYTES),
                "stream name");
        assertRefused(() -> AppendRequest.builder().append("s", ExpectedVersion.any(), event("1"))
                .check("x".repeat(256), ExpectedVersion.any()).build().validate(MAX_EVENT_BYTES), "256 bytes");
        assertRefused(() -> AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t".repeat(256), new byte[0]))
                .validate(MAX_EVENT_BYTES), "event type", "256 bytes");
    }

    @Test
    void validateCountsDataAndMetadataAgainstTheSizeLimit() {
        EventData atLimit = EventData.of("t", new byte[600]).withMetadata(new byte[400]);
        EventData overLimit = EventData.of("t", new byte[600]).withMetadata(new byte[401]);

        AppendRequest.to("s", ExpectedVersion.any(), atLimit).validate(MAX_EVENT_BYTES);
        assertThatThrownBy(() -> AppendRequest.to("s", ExpectedVersion.any(), atLimit, overLimit)
                .validate(MAX_EVENT_BYTES))
                .isExactlyInstanceOf(EventTooLargeException.class)
                .hasMessage("event is 1001 bytes (data + metadata), the limit is 1000")
                .satisfies(e -> assertThat(((EventTooLargeException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void validateRefusesAnIdTwiceInOneAppendEvenAcrossStreams() {
        UUID id = UUID.randomUUID();
        EventData first = EventData.of(id, "t", bytes("1"));
        EventData second = EventData.of(id, "t", bytes("2"));

        assertRefused(() -> AppendRequest.to("s", ExpectedVersion.any(), first, second).validate(MAX_EVENT_BYTES),
                id.toString(), "twice");
        assertRefused(() -> AppendRequest.builder().append("a", ExpectedVersion.any(), first)
                .append("b", ExpectedVersion.any(), second).build().validate(MAX_EVENT_BYTES), id.toString());
    }

    private static EventData event(String text) {
        return EventData.of(UUID.randomUUID(), "t", bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
