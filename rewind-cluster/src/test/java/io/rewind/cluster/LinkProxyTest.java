package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test proxy itself, in front of an echo server on 127.0.0.1: each mode does what it says. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkProxyTest {

    private EchoServer echo;
    private LinkProxy proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = LinkProxy.start("test", echo.port());
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        proxy.close();
        echo.close();
    }

    @Test
    void bytesPassThroughIntactInBothDirections() throws IOException {
        byte[] sent = new byte[1 << 20];
        new Random(42).nextBytes(sent);
        Socket socket = connect();
        Thread writer = new Thread(() -> {
            try {
                socket.getOutputStream().write(sent);
            } catch (IOException e) {
                throw new IllegalStateException("writing through the proxy failed", e);
            }
        }, "link-proxy-test-writer");
        writer.start();
        byte[] received = readFully(socket, sent.length);
        assertThat(received).isEqualTo(sent);
        // The proxy counts a chunk after writing it: the echo may arrive before the count moves.
        Await.until(() -> proxy.forwardedBytes() == 2L * sent.length, Duration.ofSeconds(10),
                () -> "the proxy counts both directions (" + proxy.forwardedBytes() + " bytes so far)");
        assertThat(proxy.droppedBytes()).isZero();
    }

    @Test
    void aDelayHoldsEveryChunkInBothDirections() throws IOException {
        Socket socket = connect();
        assertThat(roundTrip(socket, 1)).isPositive();
        proxy.delay(Duration.ofMillis(150));
        long took = roundTrip(socket, 2);
        // 150 ms out, 150 ms back.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        proxy.pass();
        Await.until(() -> {
            try {
                return roundTrip(socket, 3) < Duration.ofMillis(150).toNanos();
            } catch (IOException e) {
                throw new AssertionError("the connection broke when the delay was lifted", e);
            }
        }, Duration.ofSeconds(10), "a round trip without the delay");
    }

    @Test
    void aBlackholeKeepsConnectionsButDropsEveryByteThenClosesTheDamagedOnesWhenItPasses() throws IOException {
        Socket socket = connect();
        assertThat(roundTrip(socket, 1)).isPositive();
        proxy.blackhole();
        socket.getOutputStream().write(2);
        socket.setSoTimeout(500);
        // Silence, not an error: nothing comes back, the connection stays open.
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        Await.until(() -> proxy.droppedBytes() == 1, Duration.ofSeconds(10), "the byte to be dropped");
        // A new connection is accepted, and is silent too.
        Socket second = connect();
        second.getOutputStream().write(3);
        second.setSoTimeout(300);
        assertThatThrownBy(() -> second.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        assertThat(proxy.openConnections()).isEqualTo(2);
        proxy.pass();
        // Both lost a byte: their streams have a hole, so the proxy closed them.
        socket.setSoTimeout(10_000);
        assertThat(endOrReset(socket)).isTrue();
        assertThat(endOrReset(second)).isTrue();
        assertThat(roundTrip(connect(), 4)).isPositive();
    }

    @Test
    void aResetClosesEveryConnectionAndRefusesNewOnes() throws IOException {
        Socket socket = connect();
        assertThat(roundTrip(socket, 1)).isPositive();
        proxy.reset();
        socket.setSoTimeout(10_000);
        assertThat(endOrReset(socket)).isTrue();
        Socket refused = connect();
        refused.setSoTimeout(10_000);
        assertThat(endOrReset(refused)).isTrue();
        assertThat(proxy.openConnections()).isZero();
        proxy.pass();
        assertThat(roundTrip(connect(), 2)).isPositive();
    }

    @Test
    void aFlappingLinkAlternatesBetweenCutAndPass() throws IOException {
        proxy.flapping(Duration.ofMillis(300));
        int answered = 0;
        int cut = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // Bounded in count and time: until both a cut and an answered round trip were seen, twice.
        for (int i = 0; i < 500 && (answered < 2 || cut < 2) && System.nanoTime() < deadline; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                socket.setSoTimeout(150);
                socket.getOutputStream().write(i);
                int read = socket.getInputStream().read();
                if (read == (i & 0xff)) {
                    answered++;
                } else {
                    cut++;
                }
            } catch (IOException e) {
                cut++;
            }
        }
        assertThat(answered).as("round trips answered").isGreaterThanOrEqualTo(2);
        assertThat(cut).as("round trips cut").isGreaterThanOrEqualTo(2);
        proxy.pass();
        assertThat(roundTrip(connect(), 7)).isPositive();
    }

    @Test
    void closeStopsEveryThreadAndTheListeningPort() throws IOException {
        for (int i = 0; i < 3; i++) {
            assertThat(roundTrip(connect(), i)).isPositive();
        }
        proxy.flapping(Duration.ofMillis(100));
        // Acceptor, flapper, four per connection.
        assertThat(proxy.liveThreads()).isEqualTo(2 + 3 * 4);
        int port = proxy.port();
        proxy.close();
        assertThat(proxy.liveThreads()).isZero();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
        assertThatThrownBy(proxy::pass).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setTcpNoDelay(true);
        sockets.add(socket);
        return socket;
    }

    /** Sends one byte and waits for its echo; the time it took, in nanoseconds. */
    private static long roundTrip(Socket socket, int value) throws IOException {
        socket.setSoTimeout(10_000);
        long start = System.nanoTime();
        socket.getOutputStream().write(value);
        int read = socket.getInputStream().read();
        assertThat(read).as("the echo of " + value).isEqualTo(value & 0xff);
        return System.nanoTime() - start;
    }

    /** True if the connection ends (end of stream or a reset) before its read timeout. */
    private static boolean endOrReset(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] readFully(Socket socket, int length) throws IOException {
        socket.setSoTimeout(20_000);
        byte[] buffer = new byte[length];
        InputStream in = socket.getInputStream();
        int done = 0;
        while (done < length) {
            int read = in.read(buffer, done, length - done);
            if (read < 0) {
                throw new IOException("the stream ended after " + done + " of " + length + " bytes");
            }
            done += read;
        }
        return buffer;
    }

    /** Echoes every byte back, one thread per connection; stops them all on close. */
    private static final class EchoServer {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Thread acceptor;

        EchoServer() throws IOException {
            acceptor = new Thread(this::accept, "echo-accept");
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (true) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread thread = new Thread(() -> echo(socket), "echo");
                synchronized (this) {
                    accepted.add(socket);
                    threads.add(thread);
                }
                thread.start();
            }
        }

        private static void echo(Socket socket) {
            byte[] buffer = new byte[8192];
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, read);
                }
            } catch (IOException e) {
                // the connection ended
            }
        }

        public void close() throws Exception {
            server.close();
            acceptor.join(10_000);
            List<Thread> running;
            synchronized (this) {
                for (Socket socket : accepted) {
                    socket.close();
                }
                running = new ArrayList<>(threads);
            }
            for (Thread thread : running) {
                thread.join(10_000);
            }
        }
    }
}
