package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesMembersInOrderOnOneLine() {
        String line = new Json().put("stream", "orders-1").put("version", 3).put("position", -1).toString();
        assertThat(line).isEqualTo("{\"stream\":\"orders-1\",\"version\":3,\"position\":-1}");
    }

    @Test
    void escapesQuotesBackslashesAndEveryControlCharacter() {
        StringBuilder nasty = new StringBuilder("quote \" backslash \\ slash / é 漢 \uD83D\uDE00 ");
        for (char c = 0; c < 0x20; c++) {
            nasty.append(c);
        }
        String line = new Json().put("data", nasty.toString()).toString();

        assertThat(line).doesNotContain("\n").doesNotContain("\r").contains("\\u0000", "\\u001f", "\\n", "\\t");
        assertThat(line.chars().filter(c -> c < 0x20)).isEmpty();
        assertThat(FlatJson.parse(line)).isEqualTo(Map.of("data", nasty.toString()));
    }

    @Test
    void anEmptyObjectIsValid() {
        assertThat(new Json().toString()).isEqualTo("{}");
    }
}
