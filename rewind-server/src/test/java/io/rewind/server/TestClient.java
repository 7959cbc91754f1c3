package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.protocol.Frames;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;

/** A ZeroMQ test client socket with helpers to send and receive whole messages. Not thread-safe. */
final class TestClient {

    final ZMQ.Socket socket;

    TestClient(ZMQ.Socket socket) {
        this.socket = socket;
    }

    /** Sends frames as one message. */
    void send(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            boolean sent = socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            assertThat(sent).as("send frame %d", i).isTrue();
        }
    }

    /** Sends text frames as one message. */
    void sendText(String... frames) {
        send(texts(frames));
    }

    /** A DEALER sends the empty delimiter first, as both dialects' DEALER clients do. */
    void sendDelimited(List<byte[]> frames) {
        List<byte[]> message = new ArrayList<>();
        message.add(Frames.EMPTY);
        message.addAll(frames);
        send(message);
    }

    void sendCommand(CommandRequest request) {
        sendDelimited(request.toFrames());
    }

    /** Receives one whole message; fails the test after the receive timeout. */
    List<byte[]> receive() {
        List<byte[]> frames = receiveOrNull();
        assertThat(frames).as("a reply within the receive timeout").isNotNull();
        return frames;
    }

    /** Receives one whole message, or null if none comes within the socket's timeout. */
    List<byte[]> receiveOrNull() {
        byte[] first = socket.recv(0);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }

    /** Receives a message and returns its frames as text. */
    List<String> receiveText() {
        return text(receive());
    }

    /** Receives a DEALER reply to one of Rewind's own commands: drops the delimiter and decodes it. */
    CommandReply receiveReply() {
        List<byte[]> frames = receive();
        assertThat(frames.get(0)).as("delimiter").isEmpty();
        return CommandReply.decode(frames.subList(1, frames.size()));
    }

    static List<byte[]> texts(String... frames) {
        List<byte[]> list = new ArrayList<>();
        for (String frame : frames) {
            list.add(frame.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    static List<String> text(List<byte[]> frames) {
        return frames.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }
}
