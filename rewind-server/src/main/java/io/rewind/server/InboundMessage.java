package io.rewind.server;

import io.rewind.protocol.Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.io.Metadata;

/**
 * One message read from the ROUTER socket: its envelope (every frame before the first empty frame,
 * the routing identity first), whether it had that empty delimiter, and its body. Reading is
 * bounded: past {@link ServerConfig#maxMessageFrames()} frames or
 * {@link ServerConfig#maxMessageBytes()} bytes the rest is read and discarded, and
 * {@link #violation()} says why. Immutable once read; socket thread only.
 *
 * @param envelope     the routing frames, identity first (never empty)
 * @param delimited    whether an empty delimiter followed the envelope
 * @param body         the frames after the delimiter (after the identity when there is none)
 * @param totalFrames  the body's real frame count, including discarded frames
 * @param totalBytes   the body's real size in bytes, including discarded frames
 * @param violation    null, or why part of the message was discarded
 * @param userId       the ZAP user id of the connection it came from (a CURVE server's: the client's
 *                     public key in Z85), null when the connection has none
 */
record InboundMessage(List<byte[]> envelope, boolean delimited, List<byte[]> body, int totalFrames,
        long totalBytes, String violation, String userId) {

    /** The most routing frames (proxies in between) looked through for the delimiter. */
    private static final int MAX_ENVELOPE_FRAMES = 32;

    /**
     * Reads the rest of a message whose first frame (the routing identity) was just received.
     * ZeroMQ delivers a message whole, so the remaining frames are ready.
     */
    static InboundMessage read(ZMQ.Socket router, byte[] identity, int maxFrames, long maxBytes) {
        List<byte[]> kept = new ArrayList<>();
        kept.add(identity);
        int frames = 1;
        long bytes = identity.length;
        boolean truncated = false;
        String userId = null;
        while (router.hasReceiveMore()) {
            Msg received = router.recvMsg(0);
            byte[] frame = received.data();
            if (frames == 1) {
                // The identity frame is the ROUTER's own; the peer's frames carry the connection's metadata.
                Metadata metadata = received.getMetadata();
                userId = metadata == null ? null : metadata.get(Metadata.USER_ID);
            }
            frames++;
            bytes += frame.length;
            if (!truncated && (frames > maxFrames + 2 || bytes > maxBytes)) {
                truncated = true;
            }
            if (!truncated) {
                kept.add(frame);
            }
        }
        return split(kept, frames, bytes, truncated, maxFrames, maxBytes, userId);
    }

    private static InboundMessage split(List<byte[]> kept, int frames, long bytes, boolean truncated,
            int maxFrames, long maxBytes, String userId) {
        int delimiter = -1;
        for (int i = 1; i < Math.min(kept.size(), MAX_ENVELOPE_FRAMES); i++) {
            if (kept.get(i).length == 0) {
                delimiter = i;
                break;
            }
        }
        List<byte[]> envelope = delimiter < 0 ? List.of(kept.get(0)) : List.copyOf(kept.subList(0, delimiter));
        int bodyStart = delimiter < 0 ? 1 : delimiter + 1;
        List<byte[]> body = bodyStart <= kept.size() ? kept.subList(bodyStart, kept.size()) : List.of();
        int bodyFrames = frames - bodyStart;
        long envelopeBytes = 0;
        for (byte[] frame : envelope) { // a loop, not a stream: this runs for every request
            envelopeBytes += frame.length;
        }
        String violation = null;
        if (truncated) {
            violation = bytes > maxBytes
                    ? "message is " + (bytes - envelopeBytes) + " bytes, the limit is " + maxBytes
                    : "message has " + bodyFrames + " frames, the limit is " + maxFrames;
        }
        return new InboundMessage(envelope, delimiter >= 0, new ArrayList<>(body), bodyFrames,
                bytes - envelopeBytes, violation, userId == null || userId.isEmpty() ? null : userId);
    }

    /** The routing identity of the connection it came from. */
    ByteBuffer peer() {
        return ByteBuffer.wrap(envelope.get(0));
    }

    /** The first body frame, or an empty frame when there is none. */
    byte[] command() {
        return body.isEmpty() ? Frames.EMPTY : body.get(0);
    }

    /** A short description for log lines. */
    String describe() {
        return "client " + HexFormat.of().formatHex(envelope.get(0)) + ", command '" + Frames.printable(command())
                + "', " + totalFrames + " frames";
    }
}
