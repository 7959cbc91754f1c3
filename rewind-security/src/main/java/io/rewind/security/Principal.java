package io.rewind.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Someone a server has authenticated (by a CURVE key, a bearer token, or the configuration of a
 * legacy endpoint), with what they may do: read and/or write streams named by {@linkplain StreamGrant
 * patterns}, read the whole store in global order ({@code $all}: {@code readAll} and subscriptions to
 * every stream), and administer the server (keys, tokens, cluster membership, repair). Nothing is
 * allowed that is not granted. Reading {@code $all} implies reading every stream: it delivers every
 * event of every stream anyway. Immutable and thread-safe.
 *
 * @param name    1 to 128 characters of {@code A-Z a-z 0-9 . _ @ + -}
 * @param streams the stream grants
 * @param readAll whether it may read {@code $all}
 * @param admin   whether it may administer the server
 */
public record Principal(String name, List<StreamGrant> streams, boolean readAll, boolean admin) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");

    public Principal {
        requireValidName(name);
        streams = List.copyOf(streams);
    }

    /** A principal with every grant: it may do everything an unsecured server allows, and administer. */
    public static Principal withFullAccess(String name) {
        return new Principal(name, List.of(new StreamGrant(StreamGrant.Access.READ, "*"),
                new StreamGrant(StreamGrant.Access.WRITE, "*")), true, true);
    }

    /** Checks a principal name, naming what is wrong with it. */
    public static String requireValidName(String name) {
        Objects.requireNonNull(name, "principal name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad principal name '" + name
                    + "': use 1 to 128 characters of A-Z a-z 0-9 . _ @ + -");
        }
        return name;
    }

    /** Whether it may read {@code stream} (its events, its info, its name in a listing). */
    public boolean mayRead(String stream) {
        return readAll || allows(StreamGrant.Access.READ, stream);
    }

    /** Whether it may append to {@code stream}. */
    public boolean mayWrite(String stream) {
        return allows(StreamGrant.Access.WRITE, stream);
    }

    /** Whether it may read {@code $all}: the whole store in global order. */
    public boolean mayReadAll() {
        return readAll;
    }

    /** Whether it may administer the server. */
    public boolean isAdmin() {
        return admin;
    }

    /** Whether it may read every stream whose name starts with {@code prefix} ("" for every stream). */
    public boolean mayReadEveryStreamStartingWith(String prefix) {
        if (readAll) {
            return true;
        }
        for (StreamGrant grant : streams) {
            if (grant.access() == StreamGrant.Access.READ && grant.coversPrefix(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether it may read anything at all (a stream or {@code $all}). */
    public boolean mayReadSomething() {
        if (readAll) {
            return true;
        }
        for (StreamGrant grant : streams) {
            if (grant.access() == StreamGrant.Access.READ) {
                return true;
            }
        }
        return false;
    }

    /** Its read grants that cover some stream starting with {@code prefix}. */
    public List<StreamGrant> readGrantsOverlapping(String prefix) {
        List<StreamGrant> overlapping = new ArrayList<>();
        for (StreamGrant grant : streams) {
            if (grant.access() == StreamGrant.Access.READ && grant.overlapsPrefix(prefix)) {
                overlapping.add(grant);
            }
        }
        return overlapping;
    }

    private boolean allows(StreamGrant.Access access, String stream) {
        for (StreamGrant grant : streams) {
            if (grant.access() == access && grant.matches(stream)) {
                return true;
            }
        }
        return false;
    }

    /** Its grants in the grants file's syntax: {@code read:orders-* write:orders-* read:$all admin}. */
    public String describeGrants() {
        StringBuilder text = new StringBuilder();
        for (StreamGrant grant : streams) {
            text.append(text.length() == 0 ? "" : " ").append(grant);
        }
        if (readAll) {
            text.append(text.length() == 0 ? "" : " ").append("read:$all");
        }
        if (admin) {
            text.append(text.length() == 0 ? "" : " ").append("admin");
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return name + " (" + describeGrants() + ")";
    }
}
