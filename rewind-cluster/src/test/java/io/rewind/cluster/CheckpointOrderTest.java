package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applied-index checkpoint never moves backwards: a copy writes the point it installed before
 * Ratis reloads the state machine, and a snapshot of the (lower) applied prefix taken in between
 * must not overwrite it (a reload from the lower one would skip the entries after the installed point).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CheckpointOrderTest {

    @TempDir
    Path root;

    /**
     * A copy writes the point it installed as the checkpoint before Ratis reloads the state machine;
     * a snapshot taken in between (of the lower applied prefix) must not overwrite it.
     */
    @Test
    void aSnapshotNeverWritesACheckpointBelowTheOneACopyInstalled() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(root, 3)) {
            List<CompletableFuture<AppendResult>> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acknowledged.add(cluster.node(0).appendAsync(append(i)));
            }
            awaitAll(acknowledged);
            Await.until(() -> cluster.node(1).headPosition() == 9, Duration.ofSeconds(30), "n2 applied every append");
            RewindStateMachine machine = cluster.node(1).stateMachine();
            AppliedIndex.Applied applied = machine.appliedIndex().applied();
            assertThat(applied.index()).isPositive();
            // As the copy does when it installs a point beyond what this node applied.
            AppliedIndex.Applied installed = new AppliedIndex.Applied(applied.term(), applied.index() + 500,
                    applied.nextPosition() + 700);
            Checkpoint.write(machine.checkpointDirectoryForTest(), installed);

            long taken = machine.takeSnapshot();

            assertThat(Checkpoint.read(machine.checkpointDirectoryForTest())).as("the checkpoint after the snapshot")
                    .contains(installed);
            assertThat(taken).as("the snapshot taken").isEqualTo(-1);
            // A snapshot at or past the installed point is written as usual.
            AppliedIndex.Applied later = new AppliedIndex.Applied(applied.term(), installed.index() + 1,
                    installed.nextPosition());
            assertThat(machine.writeCheckpoint(later, "a test")).isTrue();
            assertThat(Checkpoint.read(machine.checkpointDirectoryForTest())).contains(later);
        }
    }

    private static AppendRequest append(int i) {
        return AppendRequest.to("s-" + (i % 5), ExpectedVersion.any(),
                EventData.of(UUID.randomUUID(), "t", new byte[40 + i % 50]));
    }

    private static void awaitAll(List<CompletableFuture<AppendResult>> futures) throws Exception {
        for (CompletableFuture<AppendResult> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
    }
}
