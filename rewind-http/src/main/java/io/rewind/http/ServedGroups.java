package io.rewind.http;

import io.rewind.groups.GroupService;
import java.util.Objects;

/**
 * Where the HTTP API finds the consumer groups it serves at {@code /api/groups}, asked at every
 * request: a server's own {@link GroupService}, or a cluster node's, which runs only while the node
 * leads. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ServedGroups {

    /**
     * The service to answer this request with.
     *
     * @throws io.rewind.api.NotLeaderException         on a cluster node that does not lead (answered 503,
     *                                                  naming the leader when it is known)
     * @throws io.rewind.api.StoreUnavailableException while a leader's service is still starting (503)
     * @throws io.rewind.api.EventStoreException        with code {@code CLOSED} once the node shuts down (503)
     */
    GroupService current();

    /** A server's own service, always the one. */
    static ServedGroups of(GroupService service) {
        Objects.requireNonNull(service, "service");
        return () -> service;
    }
}
