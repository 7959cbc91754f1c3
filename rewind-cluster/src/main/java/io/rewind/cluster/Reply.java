package io.rewind.cluster;

import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.EventTooLargeException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.IdempotencyConflictException;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.WrongExpectedVersionException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The outcome of applying a {@link Command#APPENDS}, as the leader returns it to the proposing
 * node: for each append in the command, in order, the written events or the refusal with what its
 * typed exception needs. Layout of an entry's reply: u32 count, then for each append u32 length
 * and the append's reply:
 *
 * <pre>
 * u8 status: 0 = result, 1 = refusal
 * result:  u32 count, each: stream (u16 length + UTF-8), i64 version, i64 position, id (two i64)
 * refusal: u8 error code (ErrorCode ordinal), message (u16 length + UTF-8), then for
 *          WRONG_EXPECTED_VERSION: stream, expected version (u8 kind, i64), i64 actual version;
 *          for IDEMPOTENCY_CONFLICT: the event id (two i64)
 * </pre>
 */
final class Reply {

    private static final byte RESULT = 0;
    private static final byte REFUSAL = 1;
    private static final int MAX_MESSAGE_CHARS = 4000;

    private Reply() {
    }

    /** The reply of a whole entry: the replies of its appends, in order. */
    static byte[] entry(List<byte[]> replies) {
        int size = 4;
        for (byte[] reply : replies) {
            size += 4 + reply.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(replies.size());
        for (byte[] reply : replies) {
            out.putInt(reply.length).put(reply);
        }
        return out.array();
    }

    /**
     * Splits an entry's reply into its appends' replies, each to be read with {@link #decode}.
     *
     * @throws InvalidCommandException if the reply is damaged or does not hold {@code expected} replies
     */
    static List<ByteBuffer> split(ByteBuffer in, int expected) {
        try {
            int count = in.getInt();
            if (count != expected) {
                throw new InvalidCommandException("the reply holds " + count + " outcomes for " + expected + " appends");
            }
            List<ByteBuffer> replies = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new InvalidCommandException("reply " + i + " names " + length + " bytes, " + in.remaining()
                            + " remain");
                }
                replies.add(in.slice().limit(length));
                in.position(in.position() + length);
            }
            return replies;
        } catch (BufferUnderflowException e) {
            throw new InvalidCommandException("reply is cut short: " + e, e);
        }
    }

    static byte[] result(AppendResult result) {
        int size = 1 + 4;
        for (AppendResult.Written written : result.events()) {
            size += 2 + Command.utf8Length(written.stream()) + 8 + 8 + 16;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(RESULT).putInt(result.events().size());
        for (AppendResult.Written written : result.events()) {
            Command.putString(out, written.stream());
            out.putLong(written.version()).putLong(written.position())
                    .putLong(written.id().getMostSignificantBits()).putLong(written.id().getLeastSignificantBits());
        }
        return out.array();
    }

    static byte[] refusal(EventStoreException error) {
        String message = error.getMessage() == null ? "" : error.getMessage();
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
        ByteBuffer out = ByteBuffer.allocate(1 + 1 + 2 + 3 * message.length() + 2 + 3 * 255 + 9 + 8 + 16);
        out.put(REFUSAL).put((byte) error.code().ordinal());
        Command.putString(out, message);
        if (error instanceof WrongExpectedVersionException wrong) {
            Command.putString(out, wrong.stream());
            Command.putExpected(out, wrong.expected());
            out.putLong(wrong.actualVersion());
        } else if (error instanceof IdempotencyConflictException conflict) {
            out.putLong(conflict.eventId().getMostSignificantBits()).putLong(conflict.eventId().getLeastSignificantBits());
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /**
     * The result a reply carries.
     *
     * @throws EventStoreException the refusal it carries, as the typed exception a single store throws
     */
    static AppendResult decode(ByteBuffer in) {
        try {
            byte status = in.get();
            if (status == RESULT) {
                int count = in.getInt();
                List<AppendResult.Written> written = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String stream = Command.getString(in);
                    long version = in.getLong();
                    long position = in.getLong();
                    written.add(new AppendResult.Written(stream, version, position, new UUID(in.getLong(), in.getLong())));
                }
                return new AppendResult(written);
            }
            if (status != REFUSAL) {
                throw new InvalidCommandException("reply status " + status + " is not known");
            }
            ErrorCode[] codes = ErrorCode.values();
            int ordinal = in.get();
            ErrorCode code = ordinal >= 0 && ordinal < codes.length ? codes[ordinal] : ErrorCode.INTERNAL;
            String message = Command.getString(in);
            throw switch (code) {
                case WRONG_EXPECTED_VERSION -> {
                    String stream = Command.getString(in);
                    ExpectedVersion expected = Command.getExpected(in);
                    yield new WrongExpectedVersionException(stream, expected, in.getLong());
                }
                case IDEMPOTENCY_CONFLICT -> {
                    UUID id = new UUID(in.getLong(), in.getLong());
                    String prefix = "event id " + id + " is already stored: ";
                    yield new IdempotencyConflictException(id,
                            message.startsWith(prefix) ? message.substring(prefix.length()) : message);
                }
                case TOO_LARGE -> new EventTooLargeException(message);
                case BAD_REQUEST -> new InvalidRequestException(message);
                case UNAVAILABLE -> new StoreUnavailableException(message);
                default -> new EventStoreException(code, message);
            };
        } catch (BufferUnderflowException e) {
            throw new InvalidCommandException("reply is cut short: " + e, e);
        }
    }
}
