package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.Subscription;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.client.RewindClient;
import io.rewind.testkit.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * Two real {@code rewind serve} processes over one PostgreSQL database: an event appended through
 * either is broadcast on both servers' PUB sockets and delivered to subscriptions on both, in the
 * same global order, and an expected-version conflict is detected across the servers.
 *
 * <p>Needs {@code REWIND_TEST_POSTGRES_URL} (what {@code .ci/postgres start} prints): skipped
 * without it, failed without it in CI ({@code CI=true}).
 */
class TwoServersOnePostgresTest {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final int EVENTS = 60;
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void eitherServerBroadcastsEveryEventInOneGlobalOrderAndConflictsAreSeenAcrossThem() throws Exception {
        String base = System.getenv("REWIND_TEST_POSTGRES_URL");
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(base != null, "REWIND_TEST_POSTGRES_URL is not set (start one: .ci/postgres start)");
        }
        assertThat(base).as("REWIND_TEST_POSTGRES_URL must be set in CI (.ci/run starts PostgreSQL)").isNotNull();
        String store = base + (base.contains("?") ? "&" : "?") + "currentSchema=two_servers_"
                + UUID.randomUUID().toString().replace("-", "");

        try (RewindProcess first = serve(store); RewindProcess second = serve(store);
                ZContext context = new ZContext()) {
            String firstEndpoint = first.awaitCommandEndpoint(START_TIMEOUT_MS);
            String secondEndpoint = second.awaitCommandEndpoint(START_TIMEOUT_MS);
            ZMQ.Socket firstSub = sub(context, first.streamEndpoint(1_000));
            ZMQ.Socket secondSub = sub(context, second.streamEndpoint(1_000));

            try (EventStore viaFirst = RewindClient.connect(firstEndpoint);
                    EventStore viaSecond = RewindClient.connect(secondEndpoint)) {
                awaitSubscribed(viaFirst, firstSub, secondSub);
                RecordingListener onFirst = new RecordingListener();
                RecordingListener onSecond = new RecordingListener();
                long start = viaFirst.headPosition();
                try (Subscription a = viaFirst.subscribe(SubscriptionRequest.after(start).withStreamPrefix("shared-"), onFirst);
                        Subscription b = viaSecond.subscribe(SubscriptionRequest.after(start).withStreamPrefix("shared-"), onSecond)) {
                    List<String> written = new ArrayList<>();
                    for (int i = 0; i < EVENTS; i++) {
                        EventStore through = i % 2 == 0 ? viaFirst : viaSecond;
                        AppendResult result = through.append("shared-" + (i % 3), ExpectedVersion.any(),
                                EventData.of("Shared", ("event " + i).getBytes(StandardCharsets.UTF_8)));
                        written.add(result.events().get(0).id().toString());
                    }

                    List<RecordedEvent> firstSeen = recorded(onFirst.awaitCount(EVENTS, DELIVERY_TIMEOUT));
                    List<RecordedEvent> secondSeen = recorded(onSecond.awaitCount(EVENTS, DELIVERY_TIMEOUT));
                    assertThat(firstSeen).extracting(e -> e.id().toString()).containsExactlyElementsOf(written);
                    assertThat(secondSeen).isEqualTo(firstSeen);
                    onFirst.assertUnbrokenChainFrom(start);
                    onSecond.assertUnbrokenChainFrom(start);

                    assertThat(broadcastIds(firstSub, EVENTS)).containsExactlyElementsOf(written);
                    assertThat(broadcastIds(secondSub, EVENTS)).containsExactlyElementsOf(written);
                    assertThat(a.isClosed() || b.isClosed()).as("a subscription ended").isFalse();
                }

                viaFirst.append("account-1", ExpectedVersion.noStream(), EventData.of("Opened", new byte[0]));
                assertThatThrownBy(() -> viaSecond.append("account-1", ExpectedVersion.noStream(),
                        EventData.of("Opened", new byte[0])))
                        .isInstanceOfSatisfying(WrongExpectedVersionException.class,
                                e -> assertThat(e.actualVersion()).isZero());
                viaSecond.append("account-1", ExpectedVersion.exactly(0), EventData.of("Deposited", new byte[1]));
                assertThat(viaFirst.streamInfo("account-1")).hasValueSatisfying(i -> assertThat(i.headVersion()).isOne());
            }
            assertThat(first.terminate(30_000)).isZero();
            assertThat(second.terminate(30_000)).isZero();
        }
    }

    private static RewindProcess serve(String store) throws Exception {
        return RewindProcess.start("serve", "--store", store, "--command-endpoint", "tcp://127.0.0.1:*",
                "--stream-endpoint", "tcp://127.0.0.1:*");
    }

    private static ZMQ.Socket sub(ZContext context, String endpoint) {
        ZMQ.Socket sub = context.createSocket(SocketType.SUB);
        sub.setLinger(0);
        sub.setHandshakeIvl(500); // JeroMQ's connect stall (docs/PROTOCOL.md)
        sub.subscribe(new byte[0]);
        sub.connect(endpoint);
        return sub;
    }

    /** SUB sockets join late: append probes until both have seen one, then drain what is in flight. */
    private static void awaitSubscribed(EventStore store, ZMQ.Socket... subs) {
        boolean[] seen = new boolean[subs.length];
        for (ZMQ.Socket sub : subs) {
            sub.setReceiveTimeOut(50);
        }
        for (int attempt = 0; attempt < 400 && !allTrue(seen); attempt++) {
            store.append("probe", ExpectedVersion.any(), EventData.of("Probe", new byte[0]));
            for (int i = 0; i < subs.length; i++) {
                seen[i] |= ZMsg.recvMsg(subs[i]) != null;
            }
        }
        assertThat(allTrue(seen)).as("both SUB sockets received a probe").isTrue();
        for (ZMQ.Socket sub : subs) {
            sub.setReceiveTimeOut(500);
            while (ZMsg.recvMsg(sub) != null) {
                // drain the probes still in flight
            }
            sub.setReceiveTimeOut(10_000);
        }
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean flag : flags) {
            if (!flag) {
                return false;
            }
        }
        return true;
    }

    private static List<String> broadcastIds(ZMQ.Socket sub, int count) {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            ZMsg message = ZMsg.recvMsg(sub);
            assertThat(message).as("broadcast %d of %d", ids.size() + 1, count).isNotNull();
            String stream = message.popString();
            String id = message.popString();
            if (stream.startsWith("shared-")) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static List<RecordedEvent> recorded(List<io.rewind.api.SubscriptionEvent> events) {
        return events.stream().map(io.rewind.api.SubscriptionEvent::event).toList();
    }
}
