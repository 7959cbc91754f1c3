package io.rewind.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that forwards every connection to one target and keeps a copy of every
 * byte that crosses it, both ways: what an attacker on the network would capture.
 */
final class RecordingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /** @param target a {@code tcp://127.0.0.1:PORT} endpoint */
    RecordingProxy(String target) throws IOException {
        this.targetPort = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::accept, "recording-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The endpoint clients connect to instead of the target. */
    String endpoint() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    synchronized (captured) {
                        captured.write(buffer, 0, read);
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // the connection ended
            }
        }, "recording-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every byte that crossed so far, both directions interleaved. */
    byte[] captured() {
        synchronized (captured) {
            return captured.toByteArray();
        }
    }

    /** Whether {@code needle} occurs in what crossed. */
    boolean sawBytes(byte[] needle) {
        byte[] haystack = captured();
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
