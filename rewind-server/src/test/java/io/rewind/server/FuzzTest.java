package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.Frames;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Throws 10,000 random and mutated messages at a live server from several connections while a
 * writer keeps appending, then checks that every event acknowledged before and during the storm
 * reads back intact and that the server still answers.
 */
class FuzzTest {

    private static final int FUZZERS = 4;
    private static final int MESSAGES_PER_FUZZER = 2_500;
    private static final String[] WORDS = {"PUBLISH", "QUERY", "APPEND", "READ_STREAM", "READ_ALL", "READ_EVENT",
        "POSITION_AT", "HEAD", "STREAM_INFO", "LIST_STREAMS", "SUBSCRIBE", "CREDIT", "CANCEL", "PING", "", "END"};

    @Test
    void randomMessagesNeitherBreakTheServerNorTouchStoredEvents() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxEventSize(64 * 1024))) {
            Map<UUID, byte[]> acknowledged = new LinkedHashMap<>();
            Random random = new Random(20_261_126);
            for (int i = 0; i < 200; i++) {
                byte[] data = randomBytes(random, 200);
                UUID id = server.store.append("before-" + (i % 7), ExpectedVersion.any(), EventData.of("t", data))
                        .events().get(0).id();
                acknowledged.put(id, data);
            }
            ExecutorService threads = Executors.newFixedThreadPool(FUZZERS + 1);
            AtomicInteger sent = new AtomicInteger();
            try {
                Future<Map<UUID, byte[]>> writer = threads.submit(() -> writeDuringStorm(server, sent));
                List<Future<?>> fuzzers = new ArrayList<>();
                for (int f = 0; f < FUZZERS; f++) {
                    long seed = random.nextLong();
                    fuzzers.add(threads.submit(() -> fuzz(server.dealer(), new Random(seed), sent)));
                }
                for (Future<?> fuzzer : fuzzers) {
                    fuzzer.get();
                }
                acknowledged.putAll(writer.get());
            } finally {
                threads.shutdownNow();
            }
            assertThat(sent.get()).isGreaterThanOrEqualTo(FUZZERS * MESSAGES_PER_FUZZER);
            for (Map.Entry<UUID, byte[]> entry : acknowledged.entrySet()) {
                RecordedEvent stored = server.store.readEvent(entry.getKey()).orElseThrow();
                assertThat(stored.data()).isEqualTo(entry.getValue());
            }
            List<RecordedEvent> during = server.store.readStream("during", 0, Direction.FORWARD, 10_000);
            assertThat(during).extracting(RecordedEvent::version)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, during.size()).boxed().toList());
            TestClient check = server.dealer();
            check.sendCommand(new CommandRequest.Ping(1));
            assertThat(check.receiveReply()).isEqualTo(new CommandReply.Pong(1));
        }
    }

    /** Appends through the GoRewind dialect until the fuzzers are done, recording what was acknowledged. */
    private static Map<UUID, byte[]> writeDuringStorm(TestServer server, AtomicInteger sent) {
        Map<UUID, byte[]> written = new LinkedHashMap<>();
        TestClient client = server.dealer();
        Random random = new Random(7);
        int total = FUZZERS * MESSAGES_PER_FUZZER;
        while (sent.get() < total || written.size() < 50) {
            byte[] data = randomBytes(random, 300);
            client.sendDelimited(List.of(Frames.text("PUBLISH"), Frames.text("during"), data));
            List<String> reply = client.receiveText();
            assertThat(reply.get(0)).isEqualTo("PUBLISHED");
            written.put(UUID.fromString(reply.get(1)), data);
        }
        return written;
    }

    /** Sends random messages, reading whatever comes back without waiting for it. */
    private static Void fuzz(TestClient dealer, Random random, AtomicInteger sent) {
        dealer.socket.setReceiveTimeOut(0);
        for (int i = 0; i < MESSAGES_PER_FUZZER; i++) {
            dealer.send(randomMessage(random));
            sent.incrementAndGet();
            while (dealer.receiveOrNull() != null) {
                // Replies, errors and deliveries are all fine; only the server's survival matters.
            }
        }
        return null;
    }

    private static List<byte[]> randomMessage(Random random) {
        List<byte[]> frames = switch (random.nextInt(4)) {
            case 0 -> randomFrames(random);
            case 1 -> mutate(validCommand(random), random);
            case 2 -> mutate(legacy(random), random);
            default -> validCommand(random);
        };
        if (random.nextInt(4) != 0) {
            List<byte[]> delimited = new ArrayList<>();
            delimited.add(Frames.EMPTY);
            delimited.addAll(frames);
            return delimited;
        }
        return frames.isEmpty() ? List.of(Frames.EMPTY) : frames;
    }

    private static List<byte[]> randomFrames(Random random) {
        int count = random.nextInt(20) == 0 ? 1 + random.nextInt(3000) : 1 + random.nextInt(6);
        List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            frames.add(random.nextInt(3) == 0 ? Frames.text(WORDS[random.nextInt(WORDS.length)])
                    : randomBytes(random, 40));
        }
        return frames;
    }

    private static List<byte[]> legacy(Random random) {
        String id = random.nextBoolean() ? UUID.randomUUID().toString() : "";
        return switch (random.nextInt(4)) {
            case 0 -> List.of(Frames.text("PUBLISH"), randomBytes(random, 100));
            case 1 -> List.of(Frames.text("PUBLISH"), Frames.text("fuzz-" + random.nextInt(5)), randomBytes(random, 100));
            case 2 -> List.of(Frames.text("QUERY"), Frames.text(id), Frames.EMPTY);
            default -> List.of(Frames.text("QUERY"), Frames.text("fuzz-1"), Frames.text(id), Frames.EMPTY);
        };
    }

    private static List<byte[]> validCommand(Random random) {
        long id = random.nextLong();
        CommandRequest request = switch (random.nextInt(8)) {
            case 0 -> new CommandRequest.Append(id, AppendRequest.to("fuzz-" + random.nextInt(5),
                    random.nextBoolean() ? ExpectedVersion.any() : ExpectedVersion.exactly(random.nextInt(3)),
                    EventData.of("t", randomBytes(random, 100))));
            case 1 -> new CommandRequest.ReadAll(id, random.nextInt(500) - 10,
                    random.nextBoolean() ? Direction.FORWARD : Direction.BACKWARD, random.nextInt(50) - 2);
            case 2 -> new CommandRequest.ReadStream(id, "before-" + random.nextInt(7), random.nextInt(40),
                    Direction.FORWARD, 1 + random.nextInt(20));
            case 3 -> new CommandRequest.Subscribe(id, SubscriptionRequest.after(random.nextInt(300) - 1),
                    random.nextInt(20));
            case 4 -> new CommandRequest.Credit(id, random.nextInt(100));
            case 5 -> new CommandRequest.Cancel(id);
            case 6 -> new CommandRequest.ListStreams(id, "", "", 1 + random.nextInt(10));
            default -> new CommandRequest.Head(id);
        };
        return request.toFrames();
    }

    /** Flips, truncates, drops or duplicates something in a message. */
    private static List<byte[]> mutate(List<byte[]> frames, Random random) {
        List<byte[]> copy = new ArrayList<>();
        frames.forEach(f -> copy.add(f.clone()));
        int index = random.nextInt(copy.size());
        switch (random.nextInt(4)) {
            case 0 -> copy.remove(index);
            case 1 -> copy.add(index, randomBytes(random, 20));
            case 2 -> copy.set(index, Arrays.copyOf(copy.get(index), random.nextInt(copy.get(index).length + 1)));
            default -> {
                byte[] frame = copy.get(index);
                if (frame.length > 0) {
                    frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
        }
        return copy;
    }

    private static byte[] randomBytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }
}
