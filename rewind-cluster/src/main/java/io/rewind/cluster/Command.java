package io.rewind.cluster;

import io.rewind.api.AppendRequest;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A replicated command: the data of one Raft log entry. The byte layout is specified in
 * docs/CLUSTER.md ("The command format"); every field is big-endian.
 *
 * <pre>
 * u8  format version ({@link #FORMAT_VERSION})
 * u8  command type   ({@link #APPENDS})
 * i64 timestamp in microseconds since the epoch (0 in a proposal; the leader stamps it)
 * ... the body of the command type
 * </pre>
 *
 * An {@link #APPENDS} command carries one or more appends, applied in order as if each were an
 * entry of its own: a node batches the appends it has waiting into one entry, so that Raft's cost
 * per entry (a round trip to the followers, the log's bookkeeping) is paid once per batch.
 * Issue 15's records (deletes, truncation, stream metadata, erasure) are meant to be further
 * command types. Immutable and thread-safe.
 *
 * @param timestampMicros the leader's stamp, or 0 before the leader stamped it
 * @param requests        the appends, in the order they are applied, every event carrying its id
 */
record Command(long timestampMicros, List<AppendRequest> requests) {

    static final byte FORMAT_VERSION = 1;
    /** Type 1 was a single append, before appends were batched; no release wrote it. */
    static final byte APPENDS = 2;
    /** Where the timestamp sits, so the leader can stamp an encoded command in place. */
    static final int TIMESTAMP_OFFSET = 2;
    private static final int HEADER_BYTES = 2 + 8;

    Command {
        requests = List.copyOf(requests);
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("a command carries at least one append");
        }
    }

    /** A command of one append. */
    Command(long timestampMicros, AppendRequest request) {
        this(timestampMicros, List.of(request));
    }

    /** Encodes the command. */
    byte[] encode() {
        List<byte[]> bodies = new ArrayList<>(requests.size());
        for (AppendRequest request : requests) {
            bodies.add(encodeAppend(request));
        }
        return encodeAppends(bodies);
    }

    /**
     * Encodes a command of appends already encoded with {@link #encodeAppend}, timestamp 0: the
     * proposing node encodes each append once, when it is submitted, and batches the bytes.
     */
    static byte[] encodeAppends(List<byte[]> appends) {
        int size = HEADER_BYTES + 4;
        for (byte[] append : appends) {
            size += 4 + append.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT_VERSION).put(APPENDS).putLong(0).putInt(appends.size());
        for (byte[] append : appends) {
            out.putInt(append.length).put(append);
        }
        return out.array();
    }

    /** The encoded size, in a command, of an append encoded with {@link #encodeAppend}. */
    static int framedSize(byte[] append) {
        return 4 + append.length;
    }

    /** The bytes of a command of appends beyond the appends themselves. */
    static int overheadBytes() {
        return HEADER_BYTES + 4;
    }

    /** Encodes one append's body (the part of an {@link #APPENDS} command for one append). */
    static byte[] encodeAppend(AppendRequest request) {
        ByteBuffer out = ByteBuffer.allocate(appendSize(request));
        out.putShort((short) request.appends().size());
        for (AppendRequest.StreamAppend append : request.appends()) {
            putString(out, append.stream());
            putExpected(out, append.expected());
            out.putInt(append.events().size());
            for (EventData event : append.events()) {
                out.putLong(event.id().getMostSignificantBits()).putLong(event.id().getLeastSignificantBits());
                putString(out, event.type());
                byte[] metadata = event.metadata();
                out.putInt(metadata.length).put(metadata);
                byte[] data = event.data();
                out.putInt(data.length).put(data);
            }
        }
        out.putShort((short) request.checks().size());
        for (AppendRequest.StreamCheck check : request.checks()) {
            putString(out, check.stream());
            putExpected(out, check.expected());
        }
        return out.array();
    }

    private static int appendSize(AppendRequest request) {
        int size = 2 + 2;
        for (AppendRequest.StreamAppend append : request.appends()) {
            size += 2 + utf8Length(append.stream()) + 9 + 4;
            for (EventData event : append.events()) {
                size += 16 + 2 + utf8Length(event.type()) + 4 + event.metadataSize() + 4 + event.dataSize();
            }
        }
        for (AppendRequest.StreamCheck check : request.checks()) {
            size += 2 + utf8Length(check.stream()) + 9;
        }
        return size;
    }

    /** A copy of an encoded command with the timestamp set to {@code micros}. */
    static byte[] stamp(byte[] encoded, long micros) {
        byte[] stamped = encoded.clone();
        ByteBuffer.wrap(stamped).putLong(TIMESTAMP_OFFSET, micros);
        return stamped;
    }

    /**
     * Decodes a command.
     *
     * @throws InvalidCommandException if the bytes are not a command this release understands
     */
    static Command decode(ByteBuffer in) {
        try {
            byte version = in.get();
            if (version != FORMAT_VERSION) {
                throw new InvalidCommandException("command format version " + version + " is not known to this"
                        + " release (it knows " + FORMAT_VERSION + "): upgrade every node before proposing new commands");
            }
            byte type = in.get();
            if (type != APPENDS) {
                throw new InvalidCommandException("command type " + type + " is not known to this release");
            }
            long timestamp = in.getLong();
            int count = in.getInt();
            if (count <= 0 || count > in.remaining()) {
                throw new InvalidCommandException("command names " + count + " appends");
            }
            List<AppendRequest> requests = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new InvalidCommandException("append " + i + " of the command is cut short: it names " + length
                            + " bytes, " + in.remaining() + " remain");
                }
                ByteBuffer body = in.slice().limit(length);
                requests.add(decodeAppend(body, i));
                in.position(in.position() + length);
            }
            if (in.hasRemaining()) {
                throw new InvalidCommandException("command has " + in.remaining() + " bytes after its end");
            }
            return new Command(timestamp, requests);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new InvalidCommandException("command is cut short or malformed: " + e, e);
        }
    }

    private static AppendRequest decodeAppend(ByteBuffer in, int index) {
        AppendRequest.Builder builder = AppendRequest.builder();
        int streams = Short.toUnsignedInt(in.getShort());
        for (int s = 0; s < streams; s++) {
            String stream = getString(in);
            ExpectedVersion expected = getExpected(in);
            int count = in.getInt();
            if (count < 0 || count > in.remaining()) {
                throw new InvalidCommandException("command names " + count + " events for stream '" + stream + "'");
            }
            List<EventData> events = new ArrayList<>(count);
            for (int e = 0; e < count; e++) {
                UUID id = new UUID(in.getLong(), in.getLong());
                String eventType = getString(in);
                byte[] metadata = getBytes(in);
                byte[] data = getBytes(in);
                events.add(new EventData(id, eventType, data, metadata));
            }
            builder.append(stream, expected, events);
        }
        int checks = Short.toUnsignedInt(in.getShort());
        for (int c = 0; c < checks; c++) {
            builder.check(getString(in), getExpected(in));
        }
        if (in.hasRemaining()) {
            throw new InvalidCommandException("append " + index + " of the command has " + in.remaining()
                    + " bytes after its end");
        }
        return builder.build();
    }

    static void putString(ByteBuffer out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length).put(bytes);
    }

    static String getString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new InvalidCommandException("command names a field of " + length + " bytes, " + in.remaining()
                    + " remain");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    static void putExpected(ByteBuffer out, ExpectedVersion expected) {
        out.put((byte) expected.kind().ordinal()).putLong(expected.version());
    }

    static ExpectedVersion getExpected(ByteBuffer in) {
        int kind = in.get();
        long version = in.getLong();
        ExpectedVersion.Kind[] kinds = ExpectedVersion.Kind.values();
        if (kind < 0 || kind >= kinds.length) {
            throw new InvalidCommandException("unknown expected-version kind " + kind);
        }
        return switch (kinds[kind]) {
            case ANY -> ExpectedVersion.any();
            case NO_STREAM -> ExpectedVersion.noStream();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXACTLY -> ExpectedVersion.exactly(version);
        };
    }

    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
