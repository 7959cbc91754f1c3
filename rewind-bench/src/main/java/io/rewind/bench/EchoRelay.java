package io.rewind.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench echo-relay}: the bare-wire stand-in for a Rewind server in {@code bench echo}: one
 * ROUTER socket and no Rewind code. A DEALER that sends the single frame {@code SUB} becomes the
 * subscriber (answered {@code OK}); one that sends {@code PUB} is answered {@code OK} (so a
 * publisher knows it is connected); every other message {@code [sender, frames…]} is forwarded as
 * {@code [subscriber, frames…]}, so publisher → relay → subscriber crosses ZeroMQ twice, as
 * publish → server → subscriber does. Prints {@code relay ENDPOINT} once bound, and ends when its
 * standard input closes (the parent that started it went away) or it is killed.
 */
@Command(name = "echo-relay", mixinStandardHelpOptions = true, hidden = true,
        description = "A bare JeroMQ ROUTER relay for 'bench echo' (started by it).")
final class EchoRelay implements Callable<Integer> {

    static final byte[] SUBSCRIBE = {'S', 'U', 'B'};
    static final byte[] SUBSCRIBED = {'O', 'K'};
    static final byte[] PUBLISHER = {'P', 'U', 'B'};
    private static final int POLL_MS = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:*",
            description = "Where the ROUTER binds (default: ${DEFAULT-VALUE}).")
    String bind;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setRcvHWM(0);
            router.setSndHWM(0);
            router.setReceiveTimeOut(POLL_MS);
            router.bind(bind);
            out.println("relay " + router.getLastEndpoint());
            out.flush();
            Thread watcher = new Thread(() -> awaitEndOfInput(System.in), "echo-relay-stdin");
            watcher.setDaemon(true);
            watcher.start();
            byte[] subscriber = null;
            while (watcher.isAlive() && !Thread.currentThread().isInterrupted()) {
                byte[] sender = router.recv();
                if (sender == null) {
                    continue; // a receive timeout: look at standard input's watcher again
                }
                List<byte[]> body = new ArrayList<>();
                while (router.hasReceiveMore()) {
                    body.add(router.recv());
                }
                if (body.size() == 1 && Arrays.equals(body.get(0), SUBSCRIBE)) {
                    subscriber = sender;
                    router.sendMore(sender);
                    router.send(SUBSCRIBED);
                } else if (body.size() == 1 && Arrays.equals(body.get(0), PUBLISHER)) {
                    router.sendMore(sender);
                    router.send(SUBSCRIBED);
                } else if (subscriber != null) {
                    router.sendMore(subscriber);
                    for (int i = 0; i < body.size(); i++) {
                        router.send(body.get(i), i < body.size() - 1 ? ZMQ.SNDMORE : 0);
                    }
                }
            }
        }
        return 0;
    }

    private static void awaitEndOfInput(InputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing is expected on standard input: only its end matters
            }
        } catch (IOException e) {
            // the parent went away as surely as with an end of input
        }
    }
}
