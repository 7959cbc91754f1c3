package io.rewind.protocol;

import io.rewind.protocol.command.CommandName;
import java.util.List;

/**
 * The three languages spoken on the command socket, told apart by command name and frame count,
 * which never overlap (docs/PROTOCOL.md, "Telling the dialects apart").
 */
public enum Dialect {
    /** The original Python Rewind: REQ clients, {@code PUBLISH} of 2 frames, {@code QUERY} of 3. */
    REWIND,
    /** GoRewind: DEALER clients, {@code PUBLISH} of 3 frames, {@code QUERY} of 4. */
    GOREWIND,
    /** Rewind's own commands: DEALER clients, a command name from {@link CommandName}. */
    COMMAND;

    /** The reason for an empty message or an empty first frame. */
    public static final String EMPTY_COMMAND = "Empty command";
    /** The reason for a command name no dialect knows (the wording of both originals). */
    public static final String UNKNOWN_REQUEST_TYPE = "Unknown request type";

    /**
     * Tells which dialect a message body (the frames after the envelope and delimiter) belongs to.
     *
     * @throws MalformedMessageException when no dialect can own it: empty, an unknown command, or
     *                                   PUBLISH/QUERY with a frame count neither dialect uses. The
     *                                   message is the legacy error reason.
     */
    public static Dialect of(List<byte[]> body) {
        return of(body.isEmpty() ? Frames.EMPTY : body.get(0), body.size());
    }

    /**
     * The same decision from the command word and the frame count alone, for a message whose
     * frames were not all kept (too many, or too large).
     */
    public static Dialect of(byte[] command, int frameCount) {
        if (frameCount == 0 || command.length == 0) {
            throw new MalformedMessageException(EMPTY_COMMAND);
        }
        if (Frames.is(command, "PUBLISH")) {
            return byCount(frameCount, 2, 3, "PUBLISH");
        }
        if (Frames.is(command, "QUERY")) {
            return byCount(frameCount, 3, 4, "QUERY");
        }
        if (CommandName.of(command) != null) {
            return COMMAND;
        }
        throw new MalformedMessageException(UNKNOWN_REQUEST_TYPE);
    }

    private static Dialect byCount(int frames, int rewindCount, int goRewindCount, String command) {
        if (frames == rewindCount) {
            return REWIND;
        }
        if (frames == goRewindCount) {
            return GOREWIND;
        }
        throw new MalformedMessageException("Wrong number of frames for " + command + ".");
    }
}
