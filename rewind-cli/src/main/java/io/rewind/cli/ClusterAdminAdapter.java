package io.rewind.cli;

import io.rewind.cluster.ClusterEventStore;
import io.rewind.cluster.ClusterStatus;
import io.rewind.cluster.MembershipException;
import io.rewind.http.ClusterAdmin;
import java.util.function.Supplier;

/**
 * A cluster node's {@link io.rewind.cluster.ClusterMembership} as the HTTP API's {@link ClusterAdmin}
 * (rewind-http does not depend on rewind-cluster): the same figures, and each
 * {@link MembershipException} as the status it is answered with. Thread-safe.
 */
final class ClusterAdminAdapter implements ClusterAdmin {

    private final ClusterEventStore node;

    ClusterAdminAdapter(ClusterEventStore node) {
        this.node = node;
    }

    @Override
    public View status() {
        return call(() -> node.membership().status());
    }

    @Override
    public View add(String id, String address) {
        return call(() -> node.membership().add(id, address));
    }

    @Override
    public View remove(String id) {
        return call(() -> node.membership().remove(id));
    }

    private static View call(Supplier<ClusterStatus> call) {
        ClusterStatus status;
        try {
            status = call.get();
        } catch (MembershipException e) {
            int code = switch (e.reason()) {
                case BAD_REQUEST -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case UNAVAILABLE -> 503;
            };
            throw new Refused(code, e.getMessage(), e);
        }
        return view(status);
    }

    static View view(ClusterStatus status) {
        return new View(status.node(), status.leader(), status.term(), status.configurationIndex(), status.changing(),
                status.members().stream().map(m -> new Member(m.id(), m.address(), m.role(), m.appliedIndex(),
                        m.appliedPosition(), m.entriesBehind(), m.eventsBehind(), m.error())).toList());
    }
}
