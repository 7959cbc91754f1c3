package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadTest {

    private static final byte[] NOT_UTF8 = {(byte) 0xff, 0x00, 0x41};

    @Test
    void wellFormedUtf8IsText() {
        assertThat(Payload.asText("héllo 漢 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8))).contains("héllo 漢 \uD83D\uDE00");
        assertThat(Payload.asText(new byte[0])).contains("");
    }

    @Test
    void malformedOverlongAndTruncatedSequencesAreNotText() {
        assertThat(Payload.asText(NOT_UTF8)).isEmpty();
        assertThat(Payload.asText(new byte[] {(byte) 0xc0, (byte) 0x80})).as("overlong NUL").isEmpty();
        assertThat(Payload.asText(new byte[] {'a', (byte) 0xe6, (byte) 0xbc})).as("truncated").isEmpty();
        assertThat(Payload.asText(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).as("surrogate").isEmpty();
    }

    @Test
    void jsonCarriesTextAsDataAndOtherBytesAsDataBase64() {
        Json text = new Json();
        Payload.putJson(text, "data", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThat(FlatJson.parse(text.toString())).isEqualTo(Map.of("data", "{\"a\": 1}"));

        Json binary = new Json();
        Payload.putJson(binary, "data", NOT_UTF8);
        Object encoded = FlatJson.parse(binary.toString()).get("data_base64");
        assertThat(Base64.getDecoder().decode((String) encoded)).containsExactly(NOT_UTF8);
    }

    @Test
    void humanOutputKeepsAnEventOnOneLineAndMarksBase64() {
        assertThat(Payload.human("data", "two\nlines\tand \\ bell\u0007".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("data=two\\nlines\\tand \\\\ bell\\u0007");
        assertThat(Payload.human("data", NOT_UTF8)).isEqualTo("data(base64)=" + Base64.getEncoder().encodeToString(NOT_UTF8));
    }
}
