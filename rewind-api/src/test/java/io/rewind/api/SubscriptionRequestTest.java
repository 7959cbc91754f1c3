package io.rewind.api;

import static io.rewind.api.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SubscriptionRequestTest {

    private static RecordedEvent event(String stream, String type) {
        return new RecordedEvent(stream, 0, 0, UUID.randomUUID(), type, Instant.EPOCH, new byte[0], new byte[0]);
    }

    @Test
    void anExactStreamMatchesThatNameAloneWhereAPrefixMatchesLongerNames() {
        SubscriptionRequest exact = SubscriptionRequest.fromBeginning().toStream("account-1");
        SubscriptionRequest prefix = SubscriptionRequest.fromBeginning().withStreamPrefix("account-1");

        assertThat(exact.matches(event("account-1", "t"))).isTrue();
        assertThat(exact.matches(event("account-10", "t"))).isFalse();
        assertThat(exact.matches(event("account-", "t"))).isFalse();
        assertThat(prefix.matches(event("account-10", "t"))).isTrue();
        assertThat(prefix.matches(event("account-", "t"))).isFalse();
        assertThat(exact.scope()).isEqualTo(SubscriptionRequest.Scope.STREAM);
        assertThat(exact.stream()).contains("account-1");
        assertThat(exact.streamPrefix()).isEmpty();
        assertThat(prefix.scope()).isEqualTo(SubscriptionRequest.Scope.PREFIX);
        assertThat(prefix.streamPrefix()).contains("account-1");
        assertThat(prefix.stream()).isEmpty();
    }

    @Test
    void typesNarrowAnyScopeAndTheLastStreamOrPrefixGivenWins() {
        SubscriptionRequest request = SubscriptionRequest.after(5).withStreamPrefix("a-").toStream("b")
                .withTypes("x", "y", "x");

        assertThat(request.scope()).isEqualTo(SubscriptionRequest.Scope.STREAM);
        assertThat(request.types()).containsExactly("x", "y");
        assertThat(request.matches(event("b", "y"))).isTrue();
        assertThat(request.matches(event("b", "z"))).isFalse();
        assertThat(request.matches(event("a-1", "x"))).isFalse();
        assertThat(SubscriptionRequest.fromEnd().withTypes("").matches(event("any", ""))).isTrue();
        assertThat(SubscriptionRequest.fromEnd().withTypes(List.of("a")).withTypes("b").types()).containsExactly("b");
    }

    @Test
    void anEmptyPrefixFollowsEveryStreamAndOnlyFilteredRequestsAreFiltered() {
        SubscriptionRequest all = SubscriptionRequest.fromBeginning().toStream("s").withStreamPrefix("");

        assertThat(all.scope()).isEqualTo(SubscriptionRequest.Scope.ALL);
        assertThat(all.isFiltered()).isFalse();
        assertThat(all).isEqualTo(SubscriptionRequest.fromBeginning());
        assertThat(all.withTypes("t").isFiltered()).isTrue();
        assertThat(SubscriptionRequest.fromBeginning().withStreamPrefix("p").isFiltered()).isTrue();
    }

    @Test
    void checkpointThresholdsHaveDocumentedDefaultsAndSurviveResuming() {
        SubscriptionRequest defaults = SubscriptionRequest.fromBeginning();
        SubscriptionRequest custom = SubscriptionRequest.fromEnd().toStream("s").withTypes("t")
                .withCheckpoints(10, Duration.ofMillis(250));

        assertThat(defaults.checkpointEvents()).isEqualTo(1_000);
        assertThat(defaults.checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
        SubscriptionRequest resumed = custom.resumeAfter(42);
        assertThat(resumed.start()).isEqualTo(SubscriptionRequest.Start.AFTER);
        assertThat(resumed.afterPosition()).isEqualTo(42);
        assertThat(resumed.stream()).contains("s");
        assertThat(resumed.types()).isEqualTo(Set.of("t"));
        assertThat(resumed.checkpointEvents()).isEqualTo(10);
        assertThat(resumed.checkpointInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(resumed).isEqualTo(SubscriptionRequest.after(42).toStream("s").withTypes("t")
                .withCheckpoints(10, Duration.ofMillis(250)));
        assertThat(resumed).isNotEqualTo(SubscriptionRequest.after(42).toStream("s").withTypes("t"));
        assertThat(resumed.toString()).contains("after 42", "stream 's'", "[t]", "10 events", "250 ms");
    }

    @Test
    void badArgumentsAreRefusedNamingTheProblem() {
        SubscriptionRequest start = SubscriptionRequest.fromBeginning();
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= SubscriptionRequest.MAX_TYPES; i++) {
            tooMany.add("type-" + i);
        }

        assertRefused(() -> SubscriptionRequest.after(-2), "start position must be >= -1, was -2");
        assertRefused(() -> start.resumeAfter(-5), "start position must be >= -1, was -5");
        assertRefused(() -> start.toStream(""), "stream name must not be empty");
        assertRefused(() -> start.toStream("\uDC00"), "stream name is not well-formed Unicode");
        assertRefused(() -> start.toStream("x".repeat(256)), "256 bytes", "255");
        assertRefused(() -> start.withStreamPrefix(null), "stream prefix must not be null");
        assertRefused(() -> start.withStreamPrefix("y".repeat(256)), "stream prefix is 256 bytes");
        assertRefused(() -> start.withTypes(), "at least one type");
        assertRefused(() -> start.withTypes(List.of()), "at least one type");
        assertRefused(() -> start.withTypes((List<String>) null), "event types must not be null");
        assertRefused(() -> start.withTypes(tooMany), "at most 100 event types, got 101");
        assertRefused(() -> start.withCheckpoints(0, Duration.ofSeconds(1)), "checkpoint events must be 1 to");
        assertRefused(() -> start.withCheckpoints(1_000_001, Duration.ofSeconds(1)), "was 1000001");
        assertRefused(() -> start.withCheckpoints(1, Duration.ofNanos(999_999)), "checkpoint interval must be 1 ms");
        assertRefused(() -> start.withCheckpoints(1, Duration.ofMinutes(61)), "checkpoint interval");
        assertRefused(() -> start.withCheckpoints(1, null), "checkpoint interval must not be null");
    }
}
