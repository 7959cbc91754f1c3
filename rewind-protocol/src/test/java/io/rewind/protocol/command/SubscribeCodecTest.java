package io.rewind.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.SubscriptionRequest;
import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two forms of SUBSCRIBE (docs/PROTOCOL.md §5.4) and the CHECKPOINT notice. */
class SubscribeCodecTest {

    private static List<String> text(List<byte[]> frames) {
        return frames.stream().map(frame -> new String(frame, StandardCharsets.UTF_8)).toList();
    }

    private static List<byte[]> frames(String... texts) {
        List<byte[]> frames = new ArrayList<>(List.of(CommandName.SUBSCRIBE.wire(), RequestIds.encode(3)));
        for (String text : texts) {
            frames.add(Frames.text(text));
        }
        return frames;
    }

    @Test
    void aPrefixWithDefaultCheckpointsTravelsInTheFirstFormThatOlderServersRead() {
        SubscriptionRequest request = SubscriptionRequest.after(7).withStreamPrefix("orders-");
        List<byte[]> encoded = new CommandRequest.Subscribe(3, request, 100).toFrames();

        assertThat(text(encoded.subList(2, encoded.size()))).containsExactly("AFTER", "7", "orders-", "100");
        assertThat(CommandRequest.decode(encoded)).isEqualTo(new CommandRequest.Subscribe(3, request, 100));
    }

    @Test
    void aSixFrameRequestFromAnOlderClientDecodesAsAPrefixWithDefaultCheckpoints() {
        CommandRequest decoded = CommandRequest.decode(frames("BEGINNING", "-1", "account-1", "50"));

        assertThat(decoded).isEqualTo(new CommandRequest.Subscribe(3,
                SubscriptionRequest.fromBeginning().withStreamPrefix("account-1"), 50));
        assertThat(CommandRequest.decode(frames("END", "-1", "", "5"))).isEqualTo(
                new CommandRequest.Subscribe(3, SubscriptionRequest.fromEnd(), 5));
    }

    @Test
    void anExactStreamTypesAndCheckpointsTravelInTheFilteredForm() {
        SubscriptionRequest request = SubscriptionRequest.fromBeginning().toStream("account-1")
                .withTypes("deposited", "").withCheckpoints(25, Duration.ofMillis(1500));
        List<byte[]> encoded = new CommandRequest.Subscribe(3, request, 10).toFrames();

        // Types travel sorted, one frame each; the empty type is an empty frame.
        assertThat(text(encoded.subList(2, encoded.size())))
                .containsExactly("BEGINNING", "-1", "account-1", "10", "STREAM", "25", "1500", "", "deposited");
        assertThat(CommandRequest.decode(encoded)).isEqualTo(new CommandRequest.Subscribe(3, request, 10));
        SubscriptionRequest checkpointsOnly = SubscriptionRequest.fromEnd().withCheckpoints(3, Duration.ofSeconds(1));
        assertThat(text(new CommandRequest.Subscribe(3, checkpointsOnly, 1).toFrames()).subList(2, 9))
                .containsExactly("END", "-1", "", "1", "ALL", "3", "1000");
    }

    @Test
    void malformedFilteredFormsAreRefusedNamingTheProblem() {
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM"), "expected 6 or at least 9, got 7");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM", "5"), "expected 6 or at least 9, got 8");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "EXACT", "5", "100"), "scope must be ALL, STREAM or PREFIX");
        assertMalformed(frames("BEGINNING", "-1", "", "1", "STREAM", "5", "100"), "stream name must not be empty");
        assertMalformed(frames("BEGINNING", "-1", "", "1", "PREFIX", "5", "100"), "non-empty prefix");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "ALL", "5", "100"), "names no stream");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM", "0", "100"), "checkpoint events must be between 1");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM", "5", "0"), "checkpoint interval ms must be between 1");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM", "5", "3600001"), "was 3600001");
        assertMalformed(frames("BEGINNING", "-1", "s", "1", "STREAM", "x", "100"), "checkpoint events is not a decimal");
        List<byte[]> longType = frames("BEGINNING", "-1", "s", "1", "STREAM", "5", "100");
        longType.add(new byte[256]);
        assertMalformed(longType, "event type is 256 bytes");
        List<byte[]> manyTypes = frames("BEGINNING", "-1", "s", "1", "STREAM", "5", "100");
        for (int i = 0; i <= SubscriptionRequest.MAX_TYPES; i++) {
            manyTypes.add(Frames.text("t" + i));
        }
        assertMalformed(manyTypes, "names 101 event types, the limit is 100");
        assertMalformed(frames("SOMETIME", "-1", "", "1"), "start must be BEGINNING, AFTER or END");
        assertMalformed(frames("AFTER", "-2", "", "1"), "after position must be >= -1");
    }

    @Test
    void aCheckpointNoticeCarriesItsSubscriptionAndPosition() {
        CommandReply.Checkpoint notice = new CommandReply.Checkpoint(9, 1234);
        List<byte[]> encoded = notice.toFrames();

        assertThat(text(List.of(encoded.get(0), encoded.get(2)))).containsExactly("CHECKPOINT", "1234");
        assertThat(CommandReply.decode(encoded)).isEqualTo(notice);
        assertThatThrownBy(() -> CommandReply.decode(List.of(Frames.text("CHECKPOINT"), RequestIds.encode(9))))
                .isInstanceOf(MalformedMessageException.class);
    }

    private static void assertMalformed(List<byte[]> frames, String fragment) {
        assertThatThrownBy(() -> CommandRequest.decode(frames)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(fragment);
    }
}
