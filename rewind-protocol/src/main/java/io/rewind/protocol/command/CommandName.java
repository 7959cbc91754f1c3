package io.rewind.protocol.command;

import io.rewind.protocol.Frames;
import java.util.Arrays;

/**
 * The request names of Rewind's own commands. None of them is {@code PUBLISH} or {@code QUERY},
 * so they never collide with the two legacy dialects.
 */
public enum CommandName {
    APPEND, READ_STREAM, READ_ALL, READ_EVENT, POSITION_AT, HEAD, STREAM_INFO, LIST_STREAMS,
    SUBSCRIBE, CREDIT, CANCEL, PING, GROUP;

    /** All names, read without the copy {@code values()} makes on every call. */
    private static final CommandName[] ALL = values();

    private final byte[] wire = Frames.text(name());

    /** The command word as it travels. */
    public byte[] wire() {
        return wire.clone();
    }

    /** The command a first frame names, or null when it names none of these. */
    public static CommandName of(byte[] frame) {
        for (CommandName name : ALL) {
            if (Arrays.equals(name.wire, frame)) {
                return name;
            }
        }
        return null;
    }
}
