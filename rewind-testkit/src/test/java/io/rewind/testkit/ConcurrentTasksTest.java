package io.rewind.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrentTasksTest {

    @Test
    void concurrentTasksRethrowAFailureOfAnyThread() {
        AtomicInteger finished = new AtomicInteger();

        assertThatThrownBy(() -> ConcurrentTasks.run(3, Duration.ofSeconds(10), thread -> {
            if (thread == 1) {
                throw new IllegalArgumentException("thread 1 failed");
            }
            finished.incrementAndGet();
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("thread 1 failed");
        assertThat(finished.get()).isEqualTo(2);
    }

    @Test
    void concurrentTasksFailWhenTheyOutliveTheirDeadline() {
        assertThatThrownBy(() -> ConcurrentTasks.run(1, Duration.ofMillis(50), thread -> {
            Await.until(() -> false, Duration.ofSeconds(5), "interrupted by the deadline");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("did not finish within 50 ms");
    }
}
