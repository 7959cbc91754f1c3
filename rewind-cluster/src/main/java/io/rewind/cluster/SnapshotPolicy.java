package io.rewind.cluster;

/**
 * When a node snapshots, how much Raft log it keeps, and how a node far behind copies what it
 * lacks (docs/CLUSTER.md, "Snapshots"). Immutable.
 *
 * <p>The defaults hold for every node; a test or a benchmark may choose others through
 * {@link #override} or the system properties {@code rewind.cluster.snapshotEntries},
 * {@code rewind.cluster.snapshotBytes}, {@code rewind.cluster.purgeGap}, {@code rewind.cluster.raftSegmentBytes} and
 * {@code rewind.cluster.copyPageBytes} (read when a node starts).
 *
 * @param snapshotEntries  Ratis takes a snapshot (the applied-index checkpoint) once this many
 *                         entries were applied since the last one
 * @param snapshotBytes    the node asks Ratis for a snapshot once this many bytes of entries were
 *                         applied since the last one (Ratis counts entries only, and one entry may
 *                         carry one append or 512 KiB of them)
 * @param purgeGap         Ratis purges its log up to the snapshot once the snapshot is this many
 *                         entries past the last purge (only closed segments are deleted)
 * @param raftSegmentBytes the size at which Ratis closes a log segment (the unit of purging)
 * @param copyPageBytes    the byte budget of one page of events a node copies from the leader
 *                         (a page always holds whole appends, at least one, however large)
 */
record SnapshotPolicy(long snapshotEntries, long snapshotBytes, int purgeGap, long raftSegmentBytes,
        int copyPageBytes) {

    static final long DEFAULT_SNAPSHOT_ENTRIES = 1024;
    static final long DEFAULT_SNAPSHOT_BYTES = 64L * 1024 * 1024;
    static final int DEFAULT_PURGE_GAP = 16;
    static final long DEFAULT_RAFT_SEGMENT_BYTES = 2L * ClusterEventStore.MAX_COMMAND_BYTES;
    static final int DEFAULT_COPY_PAGE_BYTES = 4 * 1024 * 1024;

    private static volatile SnapshotPolicy override;

    SnapshotPolicy {
        if (snapshotEntries < 1 || snapshotBytes < 1 || purgeGap < 1 || raftSegmentBytes < 1024 || copyPageBytes < 1) {
            throw new IllegalArgumentException("snapshot policy values must be positive (a segment at least 1 KiB): "
                    + snapshotEntries + ", " + purgeGap + ", " + raftSegmentBytes + ", " + copyPageBytes);
        }
    }

    /** The policy a node starting now uses: the override, else the system properties, else the defaults. */
    static SnapshotPolicy current() {
        SnapshotPolicy chosen = override;
        if (chosen != null) {
            return chosen;
        }
        return new SnapshotPolicy(
                Long.getLong("rewind.cluster.snapshotEntries", DEFAULT_SNAPSHOT_ENTRIES),
                Long.getLong("rewind.cluster.snapshotBytes", DEFAULT_SNAPSHOT_BYTES),
                Integer.getInteger("rewind.cluster.purgeGap", DEFAULT_PURGE_GAP),
                Long.getLong("rewind.cluster.raftSegmentBytes", DEFAULT_RAFT_SEGMENT_BYTES),
                Integer.getInteger("rewind.cluster.copyPageBytes", DEFAULT_COPY_PAGE_BYTES));
    }

    /** For tests: the policy of nodes started from now on (null: back to the properties and defaults). */
    static void override(SnapshotPolicy policy) {
        override = policy;
    }
}
