package io.rewind.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.RecordedEvent;
import io.rewind.client.ClientConfig;
import io.rewind.client.GroupConsumer;
import io.rewind.client.GroupMessage;
import io.rewind.client.RemoteGroups;
import io.rewind.client.RewindClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * One consumer of {@link GroupsKillTest}, run in a JVM of its own: {@code ENDPOINT GROUP NAME FILE}.
 * It joins the group through the Java client ({@link RemoteGroups#consume}) and, for each delivery,
 * appends to FILE, one line per step, each with a single {@code write(2)} (no user-space buffer):
 *
 * <pre>
 * B NAME PID DELIVERY ATTEMPT POSITION STREAM VERSION EVENT_ID NANOTIME   the handler begins
 * E ... NANOTIME                                                          the handler is done
 * A ... NANOTIME  |  F ... NANOTIME REASON                                 the ack was answered / refused
 * L NANOTIME MESSAGE                   what the client's consumer logged: it lost its membership, a JOIN failed
 * </pre>
 *
 * The E line is written before the ack is sent, so an event the server counts as acknowledged has
 * its E line in the page cache, which a SIGKILL of this process does not lose (only a crash of the
 * machine would, which the test does not simulate: no fsync is needed, and none is done). Between
 * B and E the handler "works" for 0–3 ms, so that two consumers holding one stream at once would
 * show as overlapping intervals. Times are {@link System#nanoTime()}: on Linux the JVMs of one
 * machine share CLOCK_MONOTONIC, so the test compares them across processes.
 *
 * <p>Prints {@code JOINED NAME PID} on stdout once the first JOIN is accepted ({@code JOIN-FAILED
 * reason} for each failed first attempt); later re-joins are the client's own, logged on stderr.
 * Runs until killed, or until its stdin ends (the test's JVM is gone), for at most 10 minutes.
 */
final class GroupKillConsumer {

    private static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(10);

    private GroupKillConsumer() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String group = args[1];
        String name = args[2];
        Path file = Path.of(args[3]);
        long pid = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + LIFETIME_NANOS;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
             EventStore client = RewindClient.connect(ClientConfig.builder().endpoint(endpoint)
                     .connectTimeout(Duration.ofSeconds(60)).requestTimeout(Duration.ofSeconds(5))
                     .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300)).build())) {
            Recorder recorder = new Recorder(out, name + " " + pid);
            noteMembershipChanges(recorder);
            GroupConsumer consumer = null;
            while (consumer == null) {
                try {
                    consumer = RemoteGroups.of(client).consume(group, name, recorder::onDelivery);
                } catch (EventStoreException e) {
                    recorder.note("JOIN-FAILED " + e.getMessage());
                    System.out.println("JOIN-FAILED " + e.getMessage());
                    System.out.flush();
                    if (System.nanoTime() - deadline > 0) {
                        System.exit(2);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // the pause between attempts
                }
            }
            System.out.println("JOINED " + name + " " + pid);
            System.out.flush();
            // Until killed; an ended stdin means the test that started us is gone.
            while (System.nanoTime() - deadline < 0 && System.in.read() >= 0) {
                // the test writes nothing; read() only returns at the end of stdin
            }
            consumer.close();
        }
    }

    /**
     * Copies what the client's consumer logs (it lost its membership, a JOIN failed) into the file
     * as {@code L NANOTIME MESSAGE}, on the thread that logs it: so the line is there, with its
     * time, before the consumer does anything after it.
     */
    private static void noteMembershipChanges(Recorder recorder) {
        Logger logger = (Logger) LoggerFactory.getLogger(GroupConsumer.class);
        logger.setLevel(Level.INFO);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                recorder.note(event.getFormattedMessage());
            }
        };
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Writes the B / E / A-or-F lines of each delivery; called on the consumer's one listener thread. */
    private static final class Recorder {
        private final FileChannel out;
        private final String who;

        Recorder(FileChannel out, String who) {
            this.out = out;
            this.who = who;
        }

        void onDelivery(GroupMessage message) {
            RecordedEvent event = message.event();
            String key = who + " " + message.deliveryId() + " " + message.attempt() + " " + event.position() + " "
                    + event.stream() + " " + event.version() + " " + event.id();
            write("B " + key + " " + System.nanoTime());
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(3))); // the work
            write("E " + key + " " + System.nanoTime());
            try {
                message.ack();
                write("A " + key + " " + System.nanoTime());
            } catch (EventStoreException e) {
                // The server is gone, or no longer knows the delivery: it goes out again.
                write("F " + key + " " + System.nanoTime() + " " + String.valueOf(e.getMessage()).replaceAll("\\s+",
                        " "));
            }
        }

        void note(String message) {
            write("L " + System.nanoTime() + " " + String.valueOf(message).replaceAll("\\s+", " "));
        }

        private synchronized void write(String line) {
            ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record to the consumer's file", e);
            }
        }
    }
}
