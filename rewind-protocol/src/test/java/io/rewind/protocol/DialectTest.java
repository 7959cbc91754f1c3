package io.rewind.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialectTest {

    private static List<byte[]> frames(String... texts) {
        List<byte[]> frames = new ArrayList<>();
        for (String text : texts) {
            frames.add(text.getBytes(StandardCharsets.UTF_8));
        }
        return frames;
    }

    @Test
    void publishAndQueryAreToldApartByFrameCount() {
        assertThat(Dialect.of(frames("PUBLISH", "d"))).isEqualTo(Dialect.REWIND);
        assertThat(Dialect.of(frames("PUBLISH", "s", "d"))).isEqualTo(Dialect.GOREWIND);
        assertThat(Dialect.of(frames("QUERY", "", ""))).isEqualTo(Dialect.REWIND);
        assertThat(Dialect.of(frames("QUERY", "s", "", ""))).isEqualTo(Dialect.GOREWIND);
    }

    @Test
    void ownCommandsAreRecognisedByName() {
        assertThat(Dialect.of(frames("PING"))).isEqualTo(Dialect.COMMAND);
        assertThat(Dialect.of(frames("APPEND", "x", "y", "z"))).isEqualTo(Dialect.COMMAND);
    }

    @Test
    void unattributableMessagesGetTheLegacyReasons() {
        assertThatThrownBy(() -> Dialect.of(List.of())).hasMessage("Empty command");
        assertThatThrownBy(() -> Dialect.of(frames(""))).hasMessage("Empty command");
        assertThatThrownBy(() -> Dialect.of(frames("PUBLISH"))).hasMessage("Wrong number of frames for PUBLISH.");
        assertThatThrownBy(() -> Dialect.of(frames("PUBLISH", "a", "b", "c")))
                .hasMessage("Wrong number of frames for PUBLISH.");
        assertThatThrownBy(() -> Dialect.of(frames("QUERY", "a"))).hasMessage("Wrong number of frames for QUERY.");
        assertThatThrownBy(() -> Dialect.of(frames("publish", "a"))).hasMessage("Unknown request type");
    }
}
