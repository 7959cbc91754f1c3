package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.InvalidRequestException;
import org.junit.jupiter.api.Test;

class UriTextTest {

    @Test
    void decodesEachSegmentOnItsOwnSoAnEscapedSlashStaysInItsSegment() {
        assertThat(UriText.segments("/api/streams/a%2Fb/events")).containsExactly("api", "streams", "a/b", "events");
        assertThat(UriText.segments("/api/streams/%E6%B5%81/")).containsExactly("api", "streams", "流");
        assertThat(UriText.segments("/")).isEmpty();
        assertThat(UriText.segments(null)).isEmpty();
    }

    @Test
    void refusesBrokenEscapesAndMalformedUtf8() {
        assertThatThrownBy(() -> UriText.decode("%zz", "the path")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the path: a '%' must be followed by two hex digits");
        assertThatThrownBy(() -> UriText.decode("ab%4", "the path")).hasMessageContaining("two hex digits");
        assertThatThrownBy(() -> UriText.decode("%ED%A0%80", "the path"))
                .hasMessage("the path: the percent-escapes are not well-formed UTF-8");
    }

    @Test
    void readsQueryParametersWithPlusAsSpaceAndKeepsRepeatedOnes() {
        assertThat(UriText.query("prefix=a+b&after=%2B&limit&type=A&type=B")).containsEntry("prefix", java.util.List.of("a b"))
                .containsEntry("after", java.util.List.of("+")).containsEntry("limit", java.util.List.of(""))
                .containsEntry("type", java.util.List.of("A", "B"));
    }
}
