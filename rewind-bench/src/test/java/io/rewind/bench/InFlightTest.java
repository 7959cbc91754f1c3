package io.rewind.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightTest {

    @Test
    void repliesByIdMayComeInAnyOrderAndFreeTheirSlot() {
        InFlight inFlight = InFlight.byRequestId(3);
        long first = inFlight.start(100);
        long second = inFlight.start(200);
        long third = inFlight.start(300);
        assertThat(inFlight.hasRoom()).isFalse();

        assertThat(inFlight.finish(second)).isEqualTo(200);
        long fourth = inFlight.start(400);
        assertThat(fourth).isNotIn(first, second, third);
        assertThat(inFlight.finish(third)).isEqualTo(300);
        assertThat(inFlight.finish(first)).isEqualTo(100);
        assertThat(inFlight.finish(fourth)).isEqualTo(400);
        assertThat(inFlight.isEmpty()).isTrue();
    }

    @Test
    void anIdNotInFlightIsNotMatched() {
        InFlight inFlight = InFlight.byRequestId(2);
        long id = inFlight.start(100);
        assertThat(inFlight.finish(id)).isEqualTo(100);

        assertThat(inFlight.finish(id)).isEqualTo(-1);
        assertThat(inFlight.finish(-5)).isEqualTo(-1);
        assertThat(inFlight.finish(7)).isEqualTo(-1);
    }

    @Test
    void oldestFirstMatchesInSendOrderAcrossWrapAround() {
        InFlight inFlight = InFlight.oldestFirst(2);
        inFlight.start(1);
        inFlight.start(2);
        assertThat(inFlight.finishOldest()).isEqualTo(1);
        inFlight.start(3);
        assertThat(inFlight.finishOldest()).isEqualTo(2);
        inFlight.start(4);
        assertThat(inFlight.finishOldest()).isEqualTo(3);
        assertThat(inFlight.finishOldest()).isEqualTo(4);
        assertThat(inFlight.finishOldest()).isEqualTo(-1);
    }

    @Test
    void aFullWindowRefusesAnotherRequest() {
        InFlight inFlight = InFlight.oldestFirst(1);
        inFlight.start(1);

        assertThatThrownBy(() -> inFlight.start(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> InFlight.byRequestId(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
