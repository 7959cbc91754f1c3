package io.rewind.jmh;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.protocol.Dialect;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.legacy.GoRewindRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol codecs the server and clients run per message: an APPEND of one 100-byte event
 * (encode, decode, and telling its dialect), its APPENDED reply, a GoRewind PUBLISH, an EVENTS
 * reply of 100 events (a replay page), and an APPEND of 100 such events (a batch) with its reply.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtocolCodecBenchmark {

    private CommandRequest.Append append;
    private List<byte[]> appendFrames;
    private CommandReply.Appended appended;
    private List<byte[]> appendedFrames;
    private List<byte[]> goRewindPublish;
    private CommandReply.Events events;
    private List<byte[]> eventsFrames;
    private CommandRequest.Append appendBatch;
    private List<byte[]> appendBatchFrames;
    private CommandReply.Appended appendedBatch;

    @Setup
    public void setUp() {
        byte[] payload = new byte[100];
        new Random(42).nextBytes(payload);
        append = new CommandRequest.Append(42, AppendRequest.to("orders-12345", ExpectedVersion.any(),
                EventData.of("OrderPlaced", payload)));
        appendFrames = append.toFrames();
        appended = new CommandReply.Appended(42, new AppendResult(List.of(
                new AppendResult.Written("orders-12345", 7, 123_456, UUID.randomUUID()))));
        appendedFrames = appended.toFrames();
        goRewindPublish = new GoRewindRequest.Publish("orders-12345", payload).toFrames();
        List<RecordedEvent> page = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            page.add(new RecordedEvent("orders-" + i, i, 1000 + i, UUID.randomUUID(), "OrderPlaced",
                    Instant.ofEpochSecond(1_700_000_000L, i * 1000L), payload, new byte[0]));
        }
        events = new CommandReply.Events(43, page, false);
        eventsFrames = events.toFrames();
        List<EventData> batch = new ArrayList<>();
        List<AppendResult.Written> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(EventData.of("OrderPlaced", payload));
            written.add(new AppendResult.Written("orders-12345", 7 + i, 123_456 + i, UUID.randomUUID()));
        }
        appendBatch = new CommandRequest.Append(44, AppendRequest.to("orders-12345", ExpectedVersion.any(), batch));
        appendBatchFrames = appendBatch.toFrames();
        appendedBatch = new CommandReply.Appended(44, new AppendResult(written));
    }

    @Benchmark
    public List<byte[]> encodeAppend() {
        return append.toFrames();
    }

    @Benchmark
    public CommandRequest decodeAppend() {
        return CommandRequest.decode(appendFrames);
    }

    @Benchmark
    public Dialect dialectOfAppend() {
        return Dialect.of(appendFrames);
    }

    @Benchmark
    public List<byte[]> encodeAppended() {
        return appended.toFrames();
    }

    @Benchmark
    public CommandReply decodeAppended() {
        return CommandReply.decode(appendedFrames);
    }

    @Benchmark
    public GoRewindRequest decodeGoRewindPublish() {
        return GoRewindRequest.decode(goRewindPublish);
    }

    @Benchmark
    public List<byte[]> encodeEventsPage() {
        return events.toFrames();
    }

    @Benchmark
    public CommandReply decodeEventsPage() {
        return CommandReply.decode(eventsFrames);
    }

    @Benchmark
    public List<byte[]> encodeAppendBatch() {
        return appendBatch.toFrames();
    }

    @Benchmark
    public CommandRequest decodeAppendBatch() {
        return CommandRequest.decode(appendBatchFrames);
    }

    @Benchmark
    public List<byte[]> encodeAppendedBatch() {
        return appendedBatch.toFrames();
    }
}
