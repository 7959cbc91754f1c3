package io.rewind.security;

import java.util.Locale;

/** What a request asks to do, as the security layer checks, logs and counts it. */
public enum Operation {
    /** An append: write on each stream written, read or write on each stream only checked. */
    APPEND,
    /** A read of one stream. */
    READ_STREAM,
    /** A read of the whole store in global order ({@code $all}). */
    READ_ALL,
    /** A lookup of one event by its id. */
    READ_EVENT,
    /** What the store knows of one stream. */
    STREAM_INFO,
    /** A page of the stream listing. */
    LIST_STREAMS,
    /** A subscription. */
    SUBSCRIBE,
    /** The head position, the position at a time, or a watch on the head. */
    HEAD,
    /** Administration: keys, tokens, cluster membership, repair. */
    ADMIN,
    /** A connection or request whose credential was not accepted. */
    AUTHENTICATE;

    /** The lower-case name used in logs and metric tags: {@code read_stream}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
