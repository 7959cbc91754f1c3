package io.rewind.api;

import java.util.Objects;

/**
 * Which streams a listing returns and how many: names starting with {@link #prefix()} that sort
 * after {@link #after()} in {@link Limits#STREAM_NAME_ORDER}, at most {@link #maxStreams()} of them
 * and, beyond the first, at most {@link #maxBytes()} bytes of stream names (UTF-8). Like
 * {@link ReadOptions}: immutable, thread-safe, checked by every factory and wither, so every store
 * refuses a bad listing with the same {@link InvalidRequestException}.
 *
 * <p>A listing the budget cut stops before the first stream whose name would take it over the
 * budget (the first stream is always returned) and gives the cursor to continue in
 * {@link StreamPage#nextAfter()}, as a listing cut by {@code maxStreams} does. Defaults: all streams
 * ({@code prefix ""}), from the first, at most {@value #DEFAULT_MAX_STREAMS} streams and
 * {@value ReadOptions#DEFAULT_MAX_BYTES} bytes.
 */
public final class StreamListOptions {

    /** The streams a listing returns at most unless {@link #withMaxStreams} says otherwise. */
    public static final int DEFAULT_MAX_STREAMS = 1_000;

    private final String prefix;
    private final String after;
    private final int maxStreams;
    private final long maxBytes;

    private StreamListOptions(String prefix, String after, int maxStreams, long maxBytes) {
        this.prefix = Limits.checkNameText(prefix, "stream prefix");
        this.after = Limits.checkNameText(after, "listing cursor 'after'");
        if (maxStreams < 1 || maxStreams > Limits.MAX_READ_LIMIT) {
            throw new InvalidRequestException("listing limit (max streams) must be 1 to " + Limits.MAX_READ_LIMIT
                    + ", was " + maxStreams);
        }
        this.maxStreams = maxStreams;
        if (maxBytes < 0) {
            throw new InvalidRequestException("listing byte budget (max bytes) must be >= 0, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Every stream, from the first, with the default limits. */
    public static StreamListOptions all() {
        return withPrefix("");
    }

    /**
     * The streams whose names start with {@code prefix} ("" or null for all), with the default limits.
     *
     * @throws InvalidRequestException if the prefix is not well-formed Unicode or over 255 bytes of UTF-8
     */
    public static StreamListOptions withPrefix(String prefix) {
        return new StreamListOptions(prefix, "", DEFAULT_MAX_STREAMS, ReadOptions.DEFAULT_MAX_BYTES);
    }

    /**
     * These options listing only names after {@code cursor} (exclusive; "" or null for the first page),
     * typically the {@link StreamPage#nextAfter()} of the previous page.
     */
    public StreamListOptions after(String cursor) {
        return new StreamListOptions(prefix, cursor, maxStreams, maxBytes);
    }

    /** These options returning at most {@code streams} streams (1 to {@link Limits#MAX_READ_LIMIT}). */
    public StreamListOptions withMaxStreams(int streams) {
        return new StreamListOptions(prefix, after, streams, maxBytes);
    }

    /** These options with a budget of {@code bytes} of stream names (0 or more; {@link ReadOptions#NO_BYTE_LIMIT} for none). */
    public StreamListOptions withMaxBytes(long bytes) {
        return new StreamListOptions(prefix, after, maxStreams, bytes);
    }

    /** The prefix every listed name starts with; "" for all. */
    public String prefix() {
        return prefix;
    }

    /** The name the listing starts after, exclusive; "" for the first page. */
    public String after() {
        return after;
    }

    public int maxStreams() {
        return maxStreams;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** What a stream counts towards a listing's byte budget: the UTF-8 bytes of its name. */
    public static long sizeOf(StreamInfo stream) {
        return Limits.utf8Length(stream.stream());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamListOptions other && prefix.equals(other.prefix) && after.equals(other.after)
                && maxStreams == other.maxStreams && maxBytes == other.maxBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, after, maxStreams, maxBytes);
    }

    @Override
    public String toString() {
        return "StreamListOptions[prefix=" + prefix + ", after=" + after + ", maxStreams=" + maxStreams
                + ", maxBytes=" + (maxBytes == ReadOptions.NO_BYTE_LIMIT ? "none" : Long.toString(maxBytes)) + "]";
    }
}
