package io.rewind.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpectedVersionTest {

    @ParameterizedTest(name = "{0} against current version {1}: {2}")
    @CsvSource({
        "any, -1, true", "any, 0, true", "any, 7, true",
        "no-stream, -1, true", "no-stream, 0, false", "no-stream, 7, false",
        "stream-exists, -1, false", "stream-exists, 0, true", "stream-exists, 7, true",
        "0, -1, false", "0, 0, true", "0, 1, false",
        "7, 6, false", "7, 7, true", "7, 8, false",
    })
    void isSatisfiedByExactlyTheDocumentedVersions(String expected, long current, boolean satisfied) {
        assertThat(ExpectedVersion.parse(expected).isSatisfiedBy(current)).isEqualTo(satisfied);
    }

    @Test
    void theFactoriesGiveTheirKinds() {
        assertThat(ExpectedVersion.any().kind()).isEqualTo(ExpectedVersion.Kind.ANY);
        assertThat(ExpectedVersion.noStream().kind()).isEqualTo(ExpectedVersion.Kind.NO_STREAM);
        assertThat(ExpectedVersion.streamExists().kind()).isEqualTo(ExpectedVersion.Kind.STREAM_EXISTS);
        assertThat(ExpectedVersion.exactly(3).kind()).isEqualTo(ExpectedVersion.Kind.EXACTLY);
        assertThat(ExpectedVersion.exactly(3).version()).isEqualTo(3);
        assertThat(ExpectedVersion.NO_STREAM_VERSION).isEqualTo(-1);
    }

    @Test
    void exactlyRefusesANegativeVersionPointingAtNoStream() {
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noStream()")
                .hasMessageContaining("-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"any", "no-stream", "stream-exists", "0", "1", "9223372036854775807"})
    void parseReadsWhatToStringPrints(String text) {
        ExpectedVersion parsed = ExpectedVersion.parse(text);

        assertThat(parsed.toString()).isEqualTo(text);
        assertThat(ExpectedVersion.parse(parsed.toString())).isEqualTo(parsed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ANY", "nostream", "1.5", "seven", " 1", "99999999999999999999"})
    void parseRefusesAnythingElseNamingTheText(String text) {
        assertThatThrownBy(() -> ExpectedVersion.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'").hasMessageContaining("no-stream");
    }

    @Test
    void parseRefusesANegativeVersionPointingAtNoStream() {
        assertThatThrownBy(() -> ExpectedVersion.parse("-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noStream()");
    }

    @Test
    void equalityFollowsKindAndVersion() {
        assertThat(ExpectedVersion.exactly(4)).isEqualTo(ExpectedVersion.exactly(4))
                .hasSameHashCodeAs(ExpectedVersion.exactly(4))
                .isNotEqualTo(ExpectedVersion.exactly(5));
        assertThat(ExpectedVersion.any()).isNotEqualTo(ExpectedVersion.noStream())
                .isNotEqualTo(ExpectedVersion.streamExists());
        assertThat(ExpectedVersion.noStream()).isNotEqualTo(ExpectedVersion.exactly(0));
    }
}
