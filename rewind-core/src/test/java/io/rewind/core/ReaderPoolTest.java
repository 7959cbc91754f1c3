package io.rewind.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.StoreClosedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReaderPoolTest {

    @Test
    void readsRunOnTheReaderThreadsNotOnTheCaller() throws Exception {
        try (ReaderPool pool = ReaderPool.start("test", 2)) {
            String caller = Thread.currentThread().getName();
            String reader = pool.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);

            assertThat(reader).isNotEqualTo(caller).startsWith("rewind-reader-test-");
        }
    }

    @Test
    void aFailedReadFailsItsFuture() {
        try (ReaderPool pool = ReaderPool.start("test", 1)) {
            CompletableFuture<Object> read = pool.submit(() -> {
                throw new IllegalStateException("disk on fire");
            });

            Throwable failure = catchThrowable(() -> read.get(30, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalStateException.class).hasMessage("disk on fire");
        }
    }

    @Test
    void closeLetsTakenReadsFinishAndRefusesNewOnes() throws Exception {
        ReaderPool pool = ReaderPool.start("test", 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> running = pool.submit(() -> {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            return "done";
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        pool.close();
        CompletableFuture<String> refused = pool.submit(() -> "never");
        release.countDown();

        assertThat(running.get(30, TimeUnit.SECONDS)).as("not interrupted by close").isEqualTo("done");
        Throwable failure = catchThrowable(() -> refused.get(30, TimeUnit.SECONDS));
        assertThat(failure).cause().isInstanceOf(StoreClosedException.class).hasMessageContaining("test is closed");
    }
}
