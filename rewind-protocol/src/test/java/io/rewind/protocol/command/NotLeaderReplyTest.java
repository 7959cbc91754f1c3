package io.rewind.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.ErrorCode;
import io.rewind.api.EventStoreException;
import io.rewind.api.NotLeaderException;
import io.rewind.api.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A cluster follower's NotLeaderException on the wire: UNAVAILABLE with the details [not-leader, leader]. */
class NotLeaderReplyTest {

    @Test
    void travelsAsUnavailableWithTheNotLeaderDetailAndTheLeadersId() {
        CommandReply.Error reply = ErrorReplies.of(7, new NotLeaderException("node 'n2' is not the leader", "n1"));
        List<byte[]> frames = reply.toFrames();
        assertThat(new String(frames.get(2), StandardCharsets.US_ASCII)).isEqualTo("UNAVAILABLE");
        assertThat(reply.details()).containsExactly("not-leader", "n1");

        EventStoreException rebuilt = ErrorReplies.toException((CommandReply.Error) CommandReply.decode(frames));
        assertThat(rebuilt).isInstanceOfSatisfying(NotLeaderException.class, e -> {
            assertThat(e.leader()).contains("n1");
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e).hasMessage("node 'n2' is not the leader");
        });
    }

    @Test
    void withNoLeaderKnownTheDetailIsEmptyAndTheLeaderAbsent() {
        CommandReply.Error reply = ErrorReplies.of(7, new NotLeaderException("an election is under way", null));
        assertThat(reply.details()).containsExactly("not-leader", "");
        EventStoreException rebuilt = ErrorReplies.toException((CommandReply.Error) CommandReply.decode(reply.toFrames()));
        assertThat(rebuilt).isInstanceOfSatisfying(NotLeaderException.class, e -> assertThat(e.leader()).isEmpty());
    }

    @Test
    void aPlainUnavailableStaysAPlainUnavailable() {
        CommandReply.Error plain = new CommandReply.Error(OptionalLong.of(3), ErrorCode.UNAVAILABLE, "busy", List.of());
        assertThat(ErrorReplies.toException(plain)).isExactlyInstanceOf(StoreUnavailableException.class);
        CommandReply.Error other = new CommandReply.Error(OptionalLong.of(3), ErrorCode.UNAVAILABLE, "busy",
                List.of("something-else", "x"));
        assertThat(ErrorReplies.toException(other)).isExactlyInstanceOf(StoreUnavailableException.class);
    }
}
