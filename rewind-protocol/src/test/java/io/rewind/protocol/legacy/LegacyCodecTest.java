package io.rewind.protocol.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.protocol.Frames;
import io.rewind.protocol.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LegacyCodecTest {

    private static final UUID A = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static final UUID B = UUID.fromString("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    private static List<byte[]> frames(String... texts) {
        List<byte[]> frames = new ArrayList<>();
        for (String text : texts) {
            frames.add(text.getBytes(StandardCharsets.UTF_8));
        }
        return frames;
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void rewindPublishIsTwoFramesWithOpaqueData() {
        byte[] data = {0, (byte) 0xff, 10, 13};
        List<byte[]> frames = new RewindRequest.Publish(data).toFrames();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).isEqualTo(Frames.text("PUBLISH"));
        assertThat(frames.get(1)).isEqualTo(data);
        assertThat(RewindRequest.decode(frames)).isEqualTo(new RewindRequest.Publish(data));
    }

    @Test
    void rewindQueryTakesEmptyFramesAsUnbounded() {
        assertThat(RewindRequest.decode(frames("QUERY", "", ""))).isEqualTo(new RewindRequest.Query(null, null));
        assertThat(RewindRequest.decode(frames("QUERY", A.toString(), B.toString().toUpperCase())))
                .isEqualTo(new RewindRequest.Query(A, B));
        assertThat(texts(new RewindRequest.Query(A, null).toFrames())).containsExactly("QUERY", A.toString(), "");
    }

    @Test
    void rewindRejectsBadIdsAndUnknownCommands() {
        assertThatThrownBy(() -> RewindRequest.decode(frames("QUERY", "not-an-id", "")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("from is not an event id");
        assertThatThrownBy(() -> RewindRequest.decode(frames("FROB", "x")))
                .isInstanceOf(MalformedMessageException.class).hasMessage("Unknown request type");
    }

    @Test
    void rewindPageEndsWithEndUnlessFull() {
        RewindReply.Page page = new RewindReply.Page(List.of(new LegacyEvent(A, Frames.text("END"))), true);
        assertThat(texts(page.toFrames())).containsExactly(A.toString(), "END", "END");
        assertThat(RewindReply.decode(page.toFrames())).isEqualTo(page);

        RewindReply.Page capped = new RewindReply.Page(List.of(new LegacyEvent(A, new byte[0])), false);
        assertThat(capped.toFrames()).hasSize(2);
        assertThat(RewindReply.decode(capped.toFrames())).isEqualTo(capped);

        assertThat(texts(new RewindReply.Page(List.of(), true).toFrames())).containsExactly("END");
        assertThat(RewindReply.decode(frames("END"))).isEqualTo(new RewindReply.Page(List.of(), true));
    }

    @Test
    void rewindSingleFrameReplies() {
        assertThat(texts(new RewindReply.Published().toFrames())).containsExactly("PUBLISHED");
        assertThat(texts(new RewindReply.Error("Unknown request type").toFrames()))
                .containsExactly("ERROR Unknown request type");
        assertThat(RewindReply.decode(frames("ERROR bad"))).isEqualTo(new RewindReply.Error("bad"));
        assertThat(RewindReply.decode(frames("PUBLISHED"))).isEqualTo(new RewindReply.Published());
    }

    @Test
    void goRewindPublishAndQuery() {
        assertThat(GoRewindRequest.decode(frames("PUBLISH", "orders-1", "x")))
                .isEqualTo(new GoRewindRequest.Publish("orders-1", Frames.text("x")));
        assertThat(GoRewindRequest.decode(frames("QUERY", "orders-1", A.toString(), "")))
                .isEqualTo(new GoRewindRequest.Query("orders-1", A, null));
        assertThat(texts(new GoRewindRequest.Query("s", null, B).toFrames()))
                .containsExactly("QUERY", "s", "", B.toString());
    }

    @Test
    void goRewindUsesItsOwnWordingForAWrongFrameCount() {
        assertThatThrownBy(() -> GoRewindRequest.decode(frames("PUBLISH", "s")))
                .hasMessage("Wrong number of frames for PUBLISH.");
        assertThatThrownBy(() -> GoRewindRequest.decode(frames("QUERY", "s", "")))
                .hasMessage("Wrong number of frames for QUERY.");
    }

    @Test
    void goRewindRejectsStreamNamesThatAreNotOneTo255BytesOfUtf8() {
        List<byte[]> nonUtf8 = List.of(Frames.text("PUBLISH"), new byte[] {(byte) 0xc3, 0x28}, new byte[0]);
        assertThatThrownBy(() -> GoRewindRequest.decode(nonUtf8))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> GoRewindRequest.decode(frames("PUBLISH", "x".repeat(256), "d")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("256 bytes");
        assertThatThrownBy(() -> GoRewindRequest.decode(frames("PUBLISH", "", "d")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("empty");
        assertThat(GoRewindRequest.decode(frames("PUBLISH", "é".repeat(127), "d"))).isNotNull();
    }

    @Test
    void goRewindReplies() {
        assertThat(texts(new GoRewindReply.Published(A).toFrames())).containsExactly("PUBLISHED", A.toString());
        assertThat(texts(new GoRewindReply.Event(new LegacyEvent(B, Frames.text("d"))).toFrames()))
                .containsExactly("EVENT", B.toString(), "d");
        assertThat(texts(new GoRewindReply.End().toFrames())).containsExactly("END");
        assertThat(GoRewindReply.decode(frames("ERROR Wrong number of frames for PUBLISH.")))
                .isEqualTo(new GoRewindReply.Error("Wrong number of frames for PUBLISH."));
        assertThat(GoRewindReply.decode(frames("EVENT", A.toString(), "")))
                .isEqualTo(new GoRewindReply.Event(new LegacyEvent(A, new byte[0])));
    }

    @Test
    void broadcastFormats() {
        Broadcast.StreamMessage stream = new Broadcast.StreamMessage("orders-7", new LegacyEvent(A, Frames.text("d")));
        assertThat(texts(stream.toFrames())).containsExactly("orders-7", A.toString(), "d");
        assertThat(Broadcast.StreamMessage.decode(stream.toFrames())).isEqualTo(stream);

        Broadcast.LegacyMessage first = new Broadcast.LegacyMessage(new LegacyEvent(A, Frames.text("d")), null);
        assertThat(texts(first.toFrames())).containsExactly(A.toString(), "", "d");
        Broadcast.LegacyMessage second = new Broadcast.LegacyMessage(new LegacyEvent(B, new byte[0]), A);
        assertThat(texts(second.toFrames())).containsExactly(B.toString(), A.toString(), "");
        assertThat(Broadcast.LegacyMessage.decode(second.toFrames())).isEqualTo(second);
    }
}
