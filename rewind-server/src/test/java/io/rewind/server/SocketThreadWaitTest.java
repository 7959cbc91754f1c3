package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The socket thread waits only for work, and work never waits for a timeout. Guards what the
 * hunt for the hub's latency tail found in 2026-12 (docs/BENCHMARKS.md, "The socket thread
 * spun"): with the mailbox's wake-up on a raw pipe beside the ROUTER, JeroMQ's poller reported the
 * pipe ready from stale readiness whenever the ROUTER's own wake-up channel was, so nearly every
 * poll returned at once for nothing while clients talked (this test saw some 20,000 such polls
 * for its 300 events with the pipe, none since). Counted here through the
 * loop's own counters, under a subscriber, request-driven appends and appends the server did not
 * see coming (written to the store directly, so only the broadcast wakes the thread).
 */
class SocketThreadWaitTest {

    private static final int APPENDS = 300;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noPollReturnsForNothingAndNoWakeUpIsLeftToATimeout() {
        server = TestServer.start();
        TestClient subscriber = server.dealer();
        subscriber.sendCommand(new CommandRequest.Subscribe(1, SubscriptionRequest.fromEnd(), 1_000_000));
        assertThat(subscriber.receiveReply()).isEqualTo(new CommandReply.Subscribed(1, -1));
        CommandClient writer = new CommandClient(server.dealer());

        List<SubscriptionEvent> delivered = new ArrayList<>();
        for (int i = 0; i < APPENDS; i++) {
            EventData event = EventData.of("t", new byte[] {(byte) i});
            if (i % 2 == 0) {
                writer.call(id -> new CommandRequest.Append(id, AppendRequest.to("w", ExpectedVersion.any(), List.of(event))),
                        CommandReply.Appended.class);
            } else {
                server.store.append("direct", ExpectedVersion.any(), event);
            }
            // One event at a time, each seen through to the subscriber: the thread goes idle and
            // is woken again for every one, which is where a spin or a missed wake-up shows.
            while (delivered.size() <= i) {
                CommandReply reply = subscriber.receiveReply();
                if (reply instanceof CommandReply.Delivery delivery) {
                    delivered.addAll(delivery.events());
                } else {
                    assertThat(reply).isInstanceOfAny(CommandReply.CaughtUp.class, CommandReply.Checkpoint.class);
                }
            }
        }
        assertThat(delivered).extracting(e -> e.event().position())
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, APPENDS).boxed().toList());

        SocketLoop.Counters counters = server.server.loopCounters();
        assertThat(counters.polls()).as("the counters count: at least a poll per append").isGreaterThanOrEqualTo(APPENDS);
        assertThat(counters.idlePolls()).as("polls that said ready with nothing to read (%s)", counters).isZero();
        assertThat(counters.lateWakeUps()).as("polls that timed out over a queued wake-up (%s)", counters).isZero();
        assertThat(server.server.broadcaster().unreadableHeads()).as("heads told before the reader could read them").isZero();
    }
}
