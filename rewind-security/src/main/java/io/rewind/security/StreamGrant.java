package io.rewind.security;

import java.util.Objects;

/**
 * Read or write access to a set of streams named by a pattern: {@code *} for every stream,
 * {@code orders-*} for every stream whose name starts with {@code orders-}, or an exact stream name
 * such as {@code orders-7}. Reading the whole store in global order ({@code $all}) is not a stream
 * grant: see {@link Principal#mayReadAll()}. Immutable and thread-safe.
 *
 * @param access  what the grant allows
 * @param pattern {@code *}, a prefix followed by {@code *}, or an exact name
 */
public record StreamGrant(Access access, String pattern) {

    /** What a stream grant allows. */
    public enum Access { READ, WRITE }

    public StreamGrant {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a stream grant needs a pattern: *, a prefix ending in *, or a name");
        }
        if (pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1) {
            throw new IllegalArgumentException("'" + pattern + "': a * may only end a stream pattern");
        }
    }

    /** Whether the pattern is a prefix (it ends in {@code *}; {@code *} alone is the empty prefix). */
    public boolean isPrefix() {
        return pattern.endsWith("*");
    }

    /** The prefix of a prefix grant ("" for {@code *}); the exact name otherwise. */
    public String stem() {
        return isPrefix() ? pattern.substring(0, pattern.length() - 1) : pattern;
    }

    /** Whether the grant covers {@code stream}. */
    public boolean matches(String stream) {
        return isPrefix() ? stream.startsWith(stem()) : stream.equals(pattern);
    }

    /** Whether the grant covers every stream whose name starts with {@code prefix}. */
    public boolean coversPrefix(String prefix) {
        return isPrefix() && prefix.startsWith(stem());
    }

    /** Whether some stream starting with {@code prefix} is covered by the grant. */
    public boolean overlapsPrefix(String prefix) {
        return isPrefix() ? prefix.startsWith(stem()) || stem().startsWith(prefix) : pattern.startsWith(prefix);
    }

    @Override
    public String toString() {
        return access.name().toLowerCase(java.util.Locale.ROOT) + ":" + pattern;
    }
}
