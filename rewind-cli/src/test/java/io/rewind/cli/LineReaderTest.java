package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<byte[]> lines(byte[] input) {
        LineReader reader = new LineReader(new ByteArrayInputStream(input));
        List<byte[]> lines = new ArrayList<>();
        for (byte[] line = reader.next(); line != null; line = reader.next()) {
            lines.add(line);
        }
        return lines;
    }

    private static List<String> lines(String input) {
        return lines(input.getBytes(StandardCharsets.UTF_8)).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void splitsAtNewlinesDroppingCarriageReturnsAndEmptyLines() {
        assertThat(lines("a\nb\r\n\n\r\nc d\n")).containsExactly("a", "b", "c d");
        assertThat(lines("last line without newline")).containsExactly("last line without newline");
        assertThat(lines("")).isEmpty();
        assertThat(lines("\n\n")).isEmpty();
    }

    @Test
    void keepsBytesThatAreNotUtf8AsTheyAre() {
        byte[] input = {(byte) 0xff, 0x00, '\r', 'x', '\n', (byte) 0x80};
        assertThat(lines(input)).containsExactly(new byte[] {(byte) 0xff, 0x00, '\r', 'x'}, new byte[] {(byte) 0x80});
    }

    @Test
    void readsLinesLongerThanItsBuffer() {
        String longLine = "x".repeat(200_000);
        assertThat(lines(longLine + "\nshort")).containsExactly(longLine, "short");
    }
}
