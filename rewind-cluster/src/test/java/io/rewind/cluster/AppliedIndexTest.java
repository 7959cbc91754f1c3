package io.rewind.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link AppliedIndex}: an unbroken prefix, and the store's exact next position after it. */
class AppliedIndexTest {

    @Test
    void theAppliedIndexIsTheEndOfTheUnbrokenPrefixOfFinishedEntries() {
        AppliedIndex applied = new AppliedIndex(new AppliedIndex.Applied(0, -1, 0));
        CompletableFuture<Void> two = applied.whenApplied(2);
        applied.started(1);
        applied.started(2);
        applied.passed(1, 3);
        applied.finished(1, 2, 7);
        assertThat(applied.applied().index()).as("entry 1 is still in flight").isEqualTo(-1);
        assertThat(two).isNotDone();
        applied.finished(1, 1, 5);
        assertThat(applied.applied()).isEqualTo(new AppliedIndex.Applied(1, 3, 7));
        assertThat(two).isCompleted();
        assertThat(applied.whenApplied(3)).isCompleted();
    }

    @Test
    void aRetryOrARefusalLeavesTheNextPositionWhereItWas() {
        AppliedIndex applied = new AppliedIndex(new AppliedIndex.Applied(1, 9, 40));
        applied.started(10);
        applied.finished(1, 10, 12); // an idempotent retry reports the positions it repeats
        applied.started(11);
        applied.finished(1, 11, -1); // a refusal wrote nothing
        assertThat(applied.applied()).isEqualTo(new AppliedIndex.Applied(1, 11, 40));
    }

    @Test
    void entriesAtOrBelowTheAppliedIndexAreIgnored() {
        AppliedIndex applied = new AppliedIndex(new AppliedIndex.Applied(1, 9, 40));
        applied.passed(1, 8);
        applied.finished(1, 9, 100);
        assertThat(applied.applied()).isEqualTo(new AppliedIndex.Applied(1, 9, 40));
    }

    @Test
    void anInstalledSnapshotMovesTheAppliedPointForwardAndCompletesItsWaiters() {
        AppliedIndex applied = new AppliedIndex(new AppliedIndex.Applied(1, 9, 40));
        CompletableFuture<Void> fifty = applied.whenApplied(50);
        CompletableFuture<Void> sixty = applied.whenApplied(60);
        applied.started(10); // an entry the copy covers, never finished here
        applied.jumpTo(new AppliedIndex.Applied(3, 55, 900));
        assertThat(applied.applied()).isEqualTo(new AppliedIndex.Applied(3, 55, 900));
        assertThat(applied.idle()).as("the covered entry is forgotten").isTrue();
        assertThat(fifty).isCompleted();
        assertThat(sixty).isNotDone();
        applied.jumpTo(new AppliedIndex.Applied(3, 40, 500)); // never backwards
        assertThat(applied.applied().index()).isEqualTo(55);
        applied.started(56);
        applied.finished(3, 56, 905);
        assertThat(applied.applied()).isEqualTo(new AppliedIndex.Applied(3, 56, 905));
    }
}
