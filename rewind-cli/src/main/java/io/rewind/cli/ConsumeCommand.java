package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.client.GroupConsumer;
import io.rewind.client.RemoteGroups;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rewind consume GROUP}: joins a consumer group, prints each delivered event and acks it. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Consume a consumer group: print each event it delivers, then ack it.")
final class ConsumeCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--consumer", paramLabel = "NAME",
            description = "This consumer's name in the group (default: rewind-cli-PID)")
    String consumer;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N events (default: never).")
    Long limit;

    @Override
    public Integer call() throws InterruptedException {
        if (limit != null && limit < 1) {
            throw client.usageError("--limit must be >= 1, was " + limit);
        }
        String name = consumer != null ? consumer : "rewind-cli-" + ProcessHandle.current().pid();
        Printer printer = client.printer();
        long max = limit == null ? Long.MAX_VALUE : limit;
        AtomicLong printed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        EventStore store = client.connect();
        Thread closeOnSignal = new Thread(done::countDown, "rewind-consume-shutdown");
        Runtime.getRuntime().addShutdownHook(closeOnSignal);
        try (GroupConsumer joined = RemoteGroups.of(store).consume(group, name, message -> {
            if (printed.get() >= max) {
                return; // unsettled: the server hands it to another consumer after this one leaves
            }
            synchronized (printer) {
                printer.event(message.event());
                printer.flush();
            }
            message.ack();
            if (printed.incrementAndGet() >= max) {
                done.countDown();
            }
        })) {
            client.err().printf("consuming group %s as %s%n", joined.group(), joined.name());
            client.err().flush();
            done.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(closeOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already running the hook
            }
            store.close();
        }
        return 0;
    }
}
