package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupService;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.memory.MemoryEventStore;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A JOIN whose connection drops while the JOIN still runs on a worker: the leave sent at the drop
 * reaches the group service first (and fails), the JOIN then succeeds. The server must not leave
 * the service holding a consumer nobody serves. {@link GroupConsumers} runs here over a real
 * {@link GroupService}, a real mailbox (drained by the test thread, which plays the socket thread)
 * and a worker pool that holds the JOIN's task until the test releases it.
 */
class GroupJoinRaceTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final EventStore store = MemoryEventStore.create();
    private final GroupService groups = GroupService.open(store, GroupServiceOptions.defaults());
    private final HoldingExecutor workers = new HoldingExecutor(Executors.newFixedThreadPool(2));
    private final Mailbox mailbox = new Mailbox();
    /** What the consumers' clients were sent: socket thread (the test thread) only. */
    private final List<Sent> sent = new ArrayList<>();
    private final GroupConsumers consumers = new GroupConsumers(GroupServiceSource.of(groups), new OffThread(workers, mailbox),
            mailbox, (envelope, reply) -> sent.add(new Sent(envelope, reply)),
            ServerConfig.builder().subscriptionTimeout(Duration.ofSeconds(60)).build());

    private record Sent(List<byte[]> envelope, CommandReply reply) {
    }

    /** Runs tasks on a pool, except the one after {@link #holdNext()}, which waits for {@link #release()}. */
    private static final class HoldingExecutor extends AbstractExecutorService {
        private final ExecutorService pool;
        private boolean holdNext;
        private Runnable held;
        private final java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();

        HoldingExecutor(ExecutorService pool) {
            this.pool = pool;
        }

        synchronized void holdNext() {
            holdNext = true;
        }

        /** How many tasks have run to their end. */
        int ran() {
            return ran.get();
        }

        synchronized boolean holding() {
            return held != null;
        }

        synchronized void release() {
            Runnable task = held;
            held = null;
            run(task);
        }

        @Override
        public synchronized void execute(Runnable task) {
            if (holdNext) {
                holdNext = false;
                held = task;
            } else {
                run(task);
            }
        }

        private void run(Runnable task) {
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    ran.incrementAndGet();
                }
            });
        }

        @Override
        public void shutdown() {
            pool.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return pool.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return pool.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return pool.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return pool.awaitTermination(timeout, unit);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdownNow();
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).as("workers stopped").isTrue();
        groups.close();
        store.close();
        mailbox.close();
    }

    private static InboundMessage message(byte[] peer, CommandRequest request) {
        List<byte[]> body = request.toFrames();
        return new InboundMessage(List.of(peer), true, body, body.size(), 0, null, null);
    }

    /** Sends JOIN from {@code peer}; the reply lands in {@code replies}. */
    private void join(byte[] peer, long id, String consumer, List<Object> replies) {
        CommandRequest.Group request = new CommandRequest.Group(id, GroupOperation.JOIN, List.of("g", consumer));
        consumers.serve(message(peer, request), request, Optional.empty(), System.nanoTime(),
                (values, failure) -> replies.add(failure != null ? failure : values));
    }

    /** Drains the mailbox (as the socket thread does) until {@code condition} holds. */
    private void drainUntil(String what, java.util.function.BooleanSupplier condition) {
        Await.until(what, DEADLINE, () -> {
            mailbox.drain();
            return condition.getAsBoolean();
        });
    }

    @Test
    void aJoinThatSucceedsAfterItsConnectionDroppedLeavesTheServiceAgain() {
        groups.create("g", GroupSettings.defaults(), GroupFilter.allStreams(), GroupStart.beginning());
        byte[] gone = {1, 1, 1};
        List<Object> firstReplies = Collections.synchronizedList(new ArrayList<>());

        workers.holdNext();
        join(gone, 7, "w", firstReplies);
        assertThat(workers.holding()).as("the JOIN is held on its way to a worker").isTrue();

        // The connection drops while the JOIN is held: the leave sent now runs first and fails (not joined yet).
        int before = workers.ran();
        consumers.clientGone(ByteBuffer.wrap(gone));
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.reply()).isInstanceOf(CommandReply.Error.class);
            assertThat(((CommandReply.Error) s.reply()).reason()).contains("consumer 'w' of group 'g' was removed");
        });
        Await.until("the early leave ran at the service", DEADLINE, () -> workers.ran() == before + 1);
        assertThat(groups.describe("g").consumers()).as("nobody joined yet").isEmpty();
        workers.release();

        drainUntil("the late JOIN completed", () -> !firstReplies.isEmpty());
        assertThat(firstReplies.get(0)).as("the late JOIN is not reported as joined").isInstanceOf(Throwable.class);
        drainUntil("the service no longer holds the consumer of the dropped connection",
                () -> groups.describe("g").consumers().isEmpty());

        byte[] live = {2, 2, 2};
        List<Object> secondReplies = Collections.synchronizedList(new ArrayList<>());
        join(live, 8, "w", secondReplies);
        drainUntil("the same name joined again", () -> !secondReplies.isEmpty());
        assertThat(secondReplies.get(0)).as("the same name joins again").isEqualTo(List.of("g", "w",
                Integer.toString(GroupSettings.defaults().maxInFlightPerConsumer())));
        assertThat(groups.describe("g").consumers()).containsExactly("w");

        UUID id = UUID.randomUUID();
        store.append(AppendRequest.to("orders-1", ExpectedVersion.any(),
                EventData.of(id, "Made", "e".getBytes(StandardCharsets.UTF_8))));
        drainUntil("the event reaches the live consumer", () -> sent.stream()
                .anyMatch(s -> s.reply() instanceof CommandReply.GroupDelivery));
        CommandReply.GroupDelivery delivery = sent.stream().map(Sent::reply)
                .filter(CommandReply.GroupDelivery.class::isInstance).map(CommandReply.GroupDelivery.class::cast)
                .findFirst().orElseThrow();
        Sent to = sent.stream().filter(s -> s.reply() == delivery).findFirst().orElseThrow();
        assertThat(to.envelope().get(0)).as("delivered on the live connection").isEqualTo(live);
        assertThat(delivery.requestId()).isEqualTo(8);
        assertThat(delivery.event().id()).isEqualTo(id);
    }
}
