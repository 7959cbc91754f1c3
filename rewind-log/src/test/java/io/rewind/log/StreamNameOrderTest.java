package io.rewind.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Limits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast comparator of the stream heads map orders names exactly as the API's order does. */
class StreamNameOrderTest {

    @Provide
    Arbitrary<String> names() {
        // Code points from the ranges where UTF-16 order and code point order disagree.
        Arbitrary<Integer> codePoints = Arbitraries.oneOf(
                Arbitraries.integers().between('a', 'c'),
                Arbitraries.integers().between(0xD7FE, 0xD7FF),
                Arbitraries.integers().between(0xE000, 0xE001),
                Arbitraries.integers().between(0xFFFE, 0xFFFF),
                Arbitraries.integers().between(0x10000, 0x10001),
                Arbitraries.integers().between(0x10FFFE, 0x10FFFF));
        return codePoints.list().ofMinSize(1).ofMaxSize(4).map(list -> {
            StringBuilder name = new StringBuilder();
            list.forEach(name::appendCodePoint);
            return name.toString();
        });
    }

    @Property
    void agreesWithTheApiOrder(@ForAll("names") String a, @ForAll("names") String b) {
        assertThat(Integer.signum(StreamNameOrder.compare(a, b)))
                .isEqualTo(Integer.signum(Limits.STREAM_NAME_ORDER.compare(a, b)));
    }
}
