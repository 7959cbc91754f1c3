package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that acknowledges entries must hold them. A leader re-sends from where a follower
 * said its log ends, so a follower can receive a second append that starts at the same index as
 * one it is still writing, with more entries. Ratis 3.3.0's default follower path (appendEntries
 * "compose") treats the second as a duplicate of the first: it writes nothing of it, yet answers
 * success with the second's last index. The leader then holds a match index beyond the follower's
 * log and never sends it the missing entries (it never goes below match index + 1): the follower
 * stays behind for good ({@code PartitionTest.flappingLinksOfTheLeaderLoseNothing} after a heal:
 * once in a CI run, once in 30 runs here) and, worse, its false acknowledgement counts toward a majority. Rewind
 * turns compose off; this test hands one node, as its leader would, such pairs of appends and
 * checks that every acknowledged entry is in its log.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OverlappingAppendEntriesTest {

    private static final RaftPeerId FOLLOWER = RaftPeerId.valueOf("n1");
    private static final RaftPeerId LEADER = RaftPeerId.valueOf("n2");
    private static final long TERM = 1;
    /** Rounds of overlapping pairs; each round's pair continues the log where the last one ended. */
    private static final int ROUNDS = 20;
    private static final int FIRST_ENTRIES = 10;
    private static final int SECOND_ENTRIES = 15;

    @TempDir
    Path root;

    private long callId;

    @Test
    void aSecondAppendFromTheSameIndexWithMoreEntriesIsWrittenBeforeItIsAcknowledged() throws Exception {
        // Long election timeouts: the node must not stand for election while the test is its leader
        // (the other two members never start, so it could not win one anyway).
        try (LocalCluster cluster = LocalCluster.create(root, 3, Duration.ofSeconds(30), Duration.ofSeconds(40))) {
            ClusterEventStore node = cluster.startNode(0);
            RaftServer server = node.raftServer();
            long next = 0;
            for (int round = 0; round < ROUNDS; round++) {
                TermIndex previous = next == 0 ? null : TermIndex.valueOf(TERM, next - 1);
                CompletableFuture<AppendEntriesReplyProto> first =
                        server.appendEntriesAsync(request(previous, entries(next, FIRST_ENTRIES)));
                CompletableFuture<AppendEntriesReplyProto> second =
                        server.appendEntriesAsync(request(previous, entries(next, SECOND_ENTRIES)));
                AppendEntriesReplyProto firstReply = first.get(30, TimeUnit.SECONDS);
                AppendEntriesReplyProto secondReply = second.get(30, TimeUnit.SECONDS);
                long last = next + SECOND_ENTRIES - 1;
                assertThat(firstReply.getResult()).as("round %d: the first append's result", round)
                        .isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);
                assertThat(secondReply.getResult()).as("round %d: the second append's result", round)
                        .isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);
                assertThat(secondReply.getMatchIndex()).as("round %d: the index the second append acknowledged", round)
                        .isEqualTo(last);
                TermIndex held = server.getDivision(ClusterEventStore.GROUP_ID).getRaftLog().getLastEntryTermIndex();
                assertThat(held).as("round %d: the last entry in the follower's log after it acknowledged"
                        + " index %d", round, last).isEqualTo(TermIndex.valueOf(TERM, last));
                // What the leader does next: a heartbeat after the acknowledged entry.
                AppendEntriesReplyProto heartbeat = server.appendEntriesAsync(
                        request(TermIndex.valueOf(TERM, last), List.of())).get(30, TimeUnit.SECONDS);
                assertThat(heartbeat.getResult()).as("round %d: a heartbeat after the acknowledged index %d"
                        + " (next index the follower asks for: %d)", round, last, heartbeat.getNextIndex())
                        .isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);
                next = last + 1;
            }
        }
    }

    private AppendEntriesRequestProto request(TermIndex previous, List<LogEntryProto> entries) {
        RaftRpcRequestProto rpc = RaftRpcRequestProto.newBuilder()
                .setRequestorId(LEADER.toByteString())
                .setReplyId(FOLLOWER.toByteString())
                .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(ClusterEventStore.GROUP_ID.toByteString()))
                .setCallId(callId++)
                .build();
        AppendEntriesRequestProto.Builder request = AppendEntriesRequestProto.newBuilder()
                .setServerRequest(rpc)
                .setLeaderTerm(TERM)
                // Nothing is committed: the entries are never applied, only written to the Raft log.
                .setLeaderCommit(-1)
                .setInitializing(false)
                .addAllEntries(entries);
        if (previous != null) {
            request.setPreviousLog(TermIndexProto.newBuilder().setTerm(previous.getTerm()).setIndex(previous.getIndex()));
        }
        return request.build();
    }

    private static List<LogEntryProto> entries(long from, int count) {
        List<LogEntryProto> entries = new ArrayList<>(count);
        for (long index = from; index < from + count; index++) {
            entries.add(LogEntryProto.newBuilder()
                    .setTerm(TERM)
                    .setIndex(index)
                    .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                            .setLogData(ByteString.copyFromUtf8("entry " + index)))
                    .build());
        }
        return entries;
    }
}
