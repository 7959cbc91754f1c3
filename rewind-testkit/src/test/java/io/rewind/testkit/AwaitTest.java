package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void untilReturnsOnceTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();

        Await.until(() -> polls.incrementAndGet() >= 5, Duration.ofSeconds(10), "five polls");

        assertThat(polls.get()).isEqualTo(5);
    }

    @Test
    void untilFailsAtTheDeadlineWithTheDescription() {
        assertThatThrownBy(() -> Await.until(() -> false, Duration.ofMillis(30), () -> "the impossible"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("timed out after 30 ms waiting until the impossible");
    }

    @Test
    void resultAndFailureUnwrapAFuture() {
        IllegalStateException cause = new IllegalStateException("failed");

        assertThat(Await.result(CompletableFuture.completedFuture("done"))).isEqualTo("done");
        assertThat(Await.failure(CompletableFuture.failedFuture(cause))).isSameAs(cause);
        assertThatThrownBy(() -> Await.failure(CompletableFuture.completedFuture("done")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("completed with done");
        assertThatThrownBy(() -> Await.result(CompletableFuture.failedFuture(cause)))
                .isInstanceOf(AssertionError.class).hasCause(cause);
    }
}
