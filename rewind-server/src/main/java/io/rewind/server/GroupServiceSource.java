package io.rewind.server;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.groups.GroupService;
import java.util.Objects;

/**
 * Where a server finds the service of its consumer groups (docs/GROUPS.md): asked afresh for every
 * GROUP command, so the service may come and go while the server runs — on a cluster node it
 * exists only while the node leads ({@link LeaderGroupService}). Implementations are thread-safe
 * and answer at once (the socket thread asks).
 */
@FunctionalInterface
public interface GroupServiceSource {

    /**
     * The service to serve a GROUP command with now.
     *
     * @throws EventStoreException why there is none here now: {@code UNAVAILABLE} for a server
     *                             without groups, a {@link io.rewind.api.NotLeaderException} on a
     *                             cluster node that does not lead
     */
    GroupService current();

    /** Always {@code service}. */
    static GroupServiceSource of(GroupService service) {
        Objects.requireNonNull(service, "service");
        return () -> service;
    }

    /** A server without consumer groups: every GROUP command is refused with {@code UNAVAILABLE}. */
    static GroupServiceSource none() {
        return () -> {
            throw new EventStoreException(ErrorCode.UNAVAILABLE,
                    "this server runs no consumer groups (it was started without a group service)");
        };
    }
}
