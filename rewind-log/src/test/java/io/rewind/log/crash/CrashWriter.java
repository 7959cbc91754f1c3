package io.rewind.log.crash;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StreamInfo;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The process that {@link CrashRecoveryTest} kills. It opens the log in the directory it is given
 * and appends from many threads until it is killed, printing one line per acknowledged event:
 * {@code ACK <stream> <version> <position> <id> .} — the trailing dot marks a complete line, so a
 * line cut by the kill is recognised and ignored. A line is printed only after the append's
 * future completed, so every printed event is one the store acknowledged as durable.
 *
 * <p>Each thread writes its own stream with an exact expected version; every fifth append is an
 * atomic append of two events to its own stream and one to a shared stream. It stops by itself
 * after the number of seconds it is given, so a test that dies cannot leave it running.
 *
 * <p>Arguments: directory, round, threads, seconds, and optionally appends per thread: with it,
 * each thread stops after that many appends, then the process prints {@code IDLE} and waits,
 * store open, to be killed (so the newest acknowledged append is the last record on disk).
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long appendsPerThread = args.length > 4 ? Long.parseLong(args[4]) : Long.MAX_VALUE;
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "US-ASCII");
        EventStore store = LogEventStore.open(LogConfig.builder(directory).segmentSize(256 * 1024).build());
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread writer = new Thread(() -> write(store, round, thread, deadline, appendsPerThread, out),
                    "crash-writer-" + t);
            writers.add(writer);
            writer.start();
        }
        for (Thread writer : writers) {
            writer.join();
        }
        if (appendsPerThread != Long.MAX_VALUE) {
            synchronized (out) {
                out.println("IDLE");
                out.flush();
            }
            while (System.nanoTime() < deadline) {
                Thread.sleep(100); // waiting to be killed; the deadline only bounds a test that died
            }
        }
        store.close();
    }

    private static void write(EventStore store, int round, int thread, long deadline, long appends,
            PrintStream out) {
        String own = "crash-" + thread;
        String shared = "crash-shared";
        long head = store.streamInfo(own).map(StreamInfo::headVersion).orElse(ExpectedVersion.NO_STREAM_VERSION);
        for (long sequence = 0; sequence < appends && System.nanoTime() < deadline; sequence++) {
            ExpectedVersion expected = head < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(head);
            AppendRequest request;
            if (sequence % 5 == 4) {
                request = AppendRequest.builder()
                        .append(own, expected, CrashEvents.event(CrashEvents.id(round, thread, 3, sequence, 0)),
                                CrashEvents.event(CrashEvents.id(round, thread, 3, sequence, 1)))
                        .append(shared, ExpectedVersion.any(),
                                CrashEvents.event(CrashEvents.id(round, thread, 3, sequence, 2)))
                        .build();
            } else {
                UUID id = CrashEvents.id(round, thread, 1, sequence, 0);
                request = AppendRequest.to(own, expected, CrashEvents.event(id));
            }
            AppendResult result = store.append(request);
            head = result.lastVersion(own);
            StringBuilder lines = new StringBuilder();
            for (AppendResult.Written written : result.events()) {
                lines.append("ACK ").append(written.stream()).append(' ').append(written.version()).append(' ')
                        .append(written.position()).append(' ').append(written.id()).append(" .\n");
            }
            synchronized (out) {
                out.print(lines);
                out.flush();
            }
        }
    }
}
