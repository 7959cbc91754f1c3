package io.rewind.protocol.command;

import io.rewind.protocol.BinaryReader;
import io.rewind.protocol.BinaryWriter;
import io.rewind.protocol.MalformedMessageException;

/**
 * The request-id frame of Rewind's own commands: exactly 8 bytes, a big-endian 64-bit number the
 * client chooses so it can match replies to requests when many are in flight. Stateless.
 */
final class RequestIds {

    static final int LENGTH = 8;

    private RequestIds() {
    }

    static byte[] encode(long requestId) {
        return new BinaryWriter(LENGTH).i64(requestId).toByteArray();
    }

    static long decode(byte[] frame) {
        if (frame.length != LENGTH) {
            throw new MalformedMessageException("request id must be " + LENGTH + " bytes, was " + frame.length);
        }
        return new BinaryReader(frame, "request id").i64();
    }
}
