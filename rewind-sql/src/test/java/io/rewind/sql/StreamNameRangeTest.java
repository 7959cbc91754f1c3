package io.rewind.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamNameRangeTest {

    private static final String MAX = Character.toString(Character.MAX_CODE_POINT);

    @Test
    void theBoundRaisesTheLastCodePoint() {
        assertThat(StreamNameRange.upperBound("order-")).contains("order.");
        assertThat(StreamNameRange.upperBound("a")).contains("b");
        assertThat(StreamNameRange.upperBound("emoji-😀")).contains("emoji-😁");
    }

    @Test
    void theBoundSkipsTheSurrogatesAndDropsTrailingMaximalCodePoints() {
        assertThat(StreamNameRange.upperBound("x\uD7FF")).contains("x\uE000");
        assertThat(StreamNameRange.upperBound("a" + MAX + MAX)).contains("b");
        assertThat(StreamNameRange.upperBound(MAX)).isEmpty();
        assertThat(StreamNameRange.upperBound("")).isEmpty();
    }

    @Test
    void everyNameWithThePrefixSortsBelowTheBoundAndNoOtherNameBetween() {
        String prefix = "ord\uD7FF";
        String bound = StreamNameRange.upperBound(prefix).orElseThrow();
        List<String> withPrefix = List.of(prefix, prefix + "a", prefix + MAX + MAX, prefix + "\uFFFF", prefix + "😀");
        List<String> without = List.of("ord", "ord\uE000", "ore", "ord\uD7FE" + MAX);

        assertThat(withPrefix).allSatisfy(name -> assertThat(Limits.STREAM_NAME_ORDER.compare(name, bound)).isNegative());
        assertThat(without).allSatisfy(name -> assertThat(name.startsWith(prefix)
                || Limits.STREAM_NAME_ORDER.compare(name, prefix) < 0
                || Limits.STREAM_NAME_ORDER.compare(name, bound) >= 0).isTrue());
    }
}
