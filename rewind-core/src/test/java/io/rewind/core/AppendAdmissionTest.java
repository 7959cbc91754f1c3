package io.rewind.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.StoreOverloadedException;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class AppendAdmissionTest {

    private static AppendRequest events(int count, int bytesEach) {
        return AppendRequest.to("s", ExpectedVersion.any(),
                Collections.nCopies(count, EventData.of("t", new byte[bytesEach])));
    }

    @Test
    void admitsUpToTheEventBoundThenRefusesWithOverloaded() {
        AppendAdmission admission = new AppendAdmission("store x", 10, 1_000_000);
        admission.admit(events(6, 1));
        admission.admit(events(4, 1));

        StoreOverloadedException refused = catchThrowableOfType(StoreOverloadedException.class,
                () -> admission.admit(events(1, 1)));

        assertThat(refused.code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(refused.getMessage()).contains("store x is overloaded", "10 events", "retry later");
        assertThat(admission.queuedEvents()).as("a refusal takes no room").isEqualTo(10);
    }

    @Test
    void boundsBytesOfDataAndMetadata() {
        AppendAdmission admission = new AppendAdmission("s", 1_000, 100);
        admission.admit(AppendRequest.to("s", ExpectedVersion.any(), EventData.of("t", new byte[60]).withMetadata(new byte[30])));

        assertThat(admission.queuedBytes()).isEqualTo(90);
        assertThatThrownBy(() -> admission.admit(events(1, 11))).isInstanceOf(StoreOverloadedException.class);
        admission.admit(events(1, 10));
        assertThat(admission.queuedBytes()).isEqualTo(100);
    }

    @Test
    void releasedRoomCanBeTakenAgain() {
        AppendAdmission admission = new AppendAdmission("s", 2, 1_000);
        AppendAdmission.Ticket first = admission.admit(events(2, 1));
        assertThatThrownBy(() -> admission.admit(events(1, 1))).isInstanceOf(StoreOverloadedException.class);

        admission.release(first);

        admission.admit(events(2, 1));
        assertThat(admission.queuedEvents()).isEqualTo(2);
    }

    @Test
    void anAppendLargerThanTheWholeBoundIsAdmittedWhenNothingIsQueued() {
        AppendAdmission admission = new AppendAdmission("s", 3, 10);

        AppendAdmission.Ticket big = admission.admit(events(5, 100));

        assertThat(big).isEqualTo(new AppendAdmission.Ticket(5, 500));
        assertThatThrownBy(() -> admission.admit(events(1, 0))).isInstanceOf(StoreOverloadedException.class);
    }
}
