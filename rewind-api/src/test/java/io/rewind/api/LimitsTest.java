package io.rewind.api;

import static io.rewind.api.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void aStreamNameIsOneTo255BytesOfUtf8() {
        String threeByteCharacters = "流".repeat(85);

        assertThat(Limits.checkStreamName("a")).containsExactly('a');
        assertThat(Limits.checkStreamName(threeByteCharacters)).hasSize(255)
                .isEqualTo(threeByteCharacters.getBytes(StandardCharsets.UTF_8));
        assertThat(Limits.checkStreamName("x".repeat(255))).hasSize(255);
        assertRefused(() -> Limits.checkStreamName(threeByteCharacters + "a"), "256 bytes", "255");
        assertRefused(() -> Limits.checkStreamName("x".repeat(256)), "256 bytes", "255");
    }

    @Test
    void supplementaryCharactersCountFourBytes() {
        String emoji = "😀".repeat(63);

        assertThat(Limits.checkStreamName(emoji)).hasSize(252);
        assertRefused(() -> Limits.checkStreamName(emoji + "😀"), "256 bytes");
    }

    @Test
    void anEmptyOrMissingStreamNameIsRefused() {
        assertRefused(() -> Limits.checkStreamName(""), "must not be empty");
        assertRefused(() -> Limits.checkStreamName(null), "must not be empty");
    }

    @Test
    void loneSurrogatesAreRefusedInNamesAndTypes() {
        assertRefused(() -> Limits.checkStreamName("high-\uD83D"), "stream name", "surrogate");
        assertRefused(() -> Limits.checkStreamName("\uDE00-low"), "stream name", "surrogate");
        assertRefused(() -> Limits.checkType("type-\uD83D"), "event type", "surrogate");
    }

    @Test
    void aTypeIsZeroTo255BytesAndNeverNull() {
        assertThat(Limits.checkType("")).isEmpty();
        assertThat(Limits.checkType("é".repeat(127) + "x")).hasSize(255);
        assertRefused(() -> Limits.checkType("é".repeat(128)), "256 bytes", "255");
        assertRefused(() -> Limits.checkType(null), "must not be null");
    }

    @Test
    void streamNameOrderIsCodePointOrderNotUtf16Order() {
        // U+FB01 is one UTF-16 unit 0xFB01; U+1F600 is the pair 0xD83D 0xDE00.
        assertThat("ﬁ".compareTo("😀")).as("String.compareTo").isPositive();
        assertThat(Limits.STREAM_NAME_ORDER.compare("ﬁ", "😀")).isNegative();
        assertThat(Limits.STREAM_NAME_ORDER.compare("😀", "ﬁ")).isPositive();
        assertThat(Limits.STREAM_NAME_ORDER.compare("a", "aa")).isNegative();
        assertThat(Limits.STREAM_NAME_ORDER.compare("", "a")).isNegative();
        assertThat(Limits.STREAM_NAME_ORDER.compare("B", "a")).isNegative();
        assertThat(Limits.STREAM_NAME_ORDER.compare("same-😀", "same-😀")).isZero();
    }

    @Test
    void streamNameOrderAgreesWithUnsignedUtf8BytesOnRandomNames() {
        Random random = new Random(20240501);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            names.add(randomName(random));
        }
        for (int i = 0; i < names.size() - 1; i++) {
            String a = names.get(i);
            String b = names.get(i + 1);
            int byBytes = Integer.signum(Arrays.compareUnsigned(utf8(a), utf8(b)));
            assertThat(Integer.signum(Limits.STREAM_NAME_ORDER.compare(a, b))).as("order of %s and %s", a, b)
                    .isEqualTo(byBytes);
            assertThat(Integer.signum(Limits.STREAM_NAME_ORDER.compare(b, a))).isEqualTo(-byBytes);
        }
    }

    /** A short name over ASCII, two- and three-byte characters, U+FFFF area and supplementary planes. */
    private static String randomName(Random random) {
        int[] starts = {'a', 0xE0, 0x4E00, 0xFB00, 0x1F600};
        StringBuilder name = new StringBuilder();
        int length = random.nextInt(4);
        for (int i = 0; i < length; i++) {
            name.appendCodePoint(starts[random.nextInt(starts.length)] + random.nextInt(3));
        }
        return name.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
