package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void theCeilingDoublesFromTheMinimumUpToTheMaximum() {
        assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(backoff.ceilingNanos(2)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(backoff.ceilingNanos(6)).isEqualTo(Duration.ofMillis(3200).toNanos());
        assertThat(backoff.ceilingNanos(7)).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void eachDelayLiesBetweenHalfTheCeilingAndTheCeilingAndNeverBelowTheMinimum() {
        for (int attempt = 1; attempt <= 20; attempt++) {
            long ceiling = backoff.ceilingNanos(attempt);
            for (int draw = 0; draw < 50; draw++) {
                assertThat(backoff.delayNanos(attempt)).as("attempt " + attempt)
                        .isBetween(Math.max(Duration.ofMillis(100).toNanos(), ceiling / 2), ceiling);
            }
        }
    }
}
