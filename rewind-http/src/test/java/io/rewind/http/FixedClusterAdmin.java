package io.rewind.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for a cluster node's {@link ClusterAdmin}, for the tests of the HTTP layer alone (who
 * may call the routes, what they answer): a membership list that {@code add} and {@code remove}
 * change, refusing a duplicate (409), an unknown id (404) and the last member (409) the way the
 * real one does. The real one, over Ratis, is tested in rewind-cluster and end to end in
 * rewind-cli. Thread-safe.
 */
final class FixedClusterAdmin implements ClusterAdmin {

    private final List<Member> members = new ArrayList<>(List.of(member("n1", "127.0.0.1:9100", "leader")));

    private static Member member(String id, String address, String role) {
        return new Member(id, address, role, 7, Optional.of(3L), Optional.of(0L), Optional.of(0L), Optional.empty());
    }

    @Override
    public synchronized View status() {
        return new View("n1", Optional.of("n1"), 2, 0, false, members);
    }

    @Override
    public synchronized View add(String id, String address) {
        if (members.stream().anyMatch(m -> m.id().equals(id))) {
            throw new Refused(409, "node '" + id + "' is a member already", null);
        }
        members.add(member(id, address, "follower"));
        return status();
    }

    @Override
    public synchronized View remove(String id) {
        if (members.stream().noneMatch(m -> m.id().equals(id))) {
            throw new Refused(404, "node '" + id + "' is not a member of the cluster", null);
        }
        if (members.size() == 1) {
            throw new Refused(409, "node '" + id + "' is the cluster's last member", null);
        }
        members.removeIf(m -> m.id().equals(id));
        return status();
    }
}
