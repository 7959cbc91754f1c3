package io.rewind.bench;

import io.rewind.api.EventStore;
import io.rewind.log.Durability;
import io.rewind.log.LogConfig;
import io.rewind.log.io.FileIO;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.stores.StoreUri;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code server} (stand-alone {@link BenchMain} only): serves a store over ZeroMQ until the
 * process is stopped (SIGINT or SIGTERM), then closes the server and the store. Only what a
 * benchmark needs; {@code rewind serve} is the real command.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Serve a store over ZeroMQ to benchmark against, until stopped (rewind serve is the full command).")
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--store", paramLabel = "URI", defaultValue = "memory:",
            description = "log:DIR, memory:, sqlite:FILE or postgresql://… (default: ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--fsync", paramLabel = "MODE", defaultValue = "always",
            description = "always, never or interval:MS (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--command-endpoint", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:9002",
            description = "ROUTER socket (default: ${DEFAULT-VALUE}).")
    String commandEndpoint;

    @Option(names = "--stream-endpoint", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:9003",
            description = "PUB socket (default: ${DEFAULT-VALUE}).")
    String streamEndpoint;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
            description = "Threads running store reads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() throws Exception {
        StoreUri uri = Options.store(spec, store);
        Durability durability = Options.fsync(spec, fsync);
        Options.atLeast(spec, "--workers", workers, 1);
        EventStore eventStore = uri.open(durability, LogConfig.DEFAULT_MAX_EVENT_BYTES, FileIO.real());
        RewindServer server;
        try {
            server = RewindServer.start(ServerConfig.builder().commandEndpoint(commandEndpoint)
                    .streamEndpoint(streamEndpoint).workerThreads(workers).build(), eventStore);
        } catch (RuntimeException e) {
            eventStore.close();
            throw new BenchException("cannot start the server: " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            eventStore.close();
            stopped.countDown();
        }, "bench-server-shutdown"));
        spec.commandLine().getOut().println("serving " + uri
                + (uri.directory().isPresent() ? " (fsync " + fsync + ")" : "") + " on "
                + server.commandEndpoint() + ", stream " + server.streamEndpoint());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
