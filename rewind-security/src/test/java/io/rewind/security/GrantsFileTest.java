package io.rewind.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantsFileTest {

    private static Map<String, Principal> parse(String text) {
        return GrantsFile.parse(text.getBytes(StandardCharsets.UTF_8), "grants.txt");
    }

    private static GrantsFileException failure(String text) {
        Throwable thrown = catchThrowable(() -> parse(text));
        assertThat(thrown).isInstanceOf(GrantsFileException.class);
        return (GrantsFileException) thrown;
    }

    @Test
    void readsPrincipalsWithTheirGrantsSkippingCommentsAndBlankLines() {
        Map<String, Principal> principals = parse("""
                # who may do what
                orders-service  read:orders-* write:orders-*   # the order service

                reporting\tread:* read:$all
                ops admin read:* write:* read:$all
                parked
                """);

        assertThat(principals).containsOnlyKeys("orders-service", "reporting", "ops", "parked");
        Principal orders = principals.get("orders-service");
        assertThat(orders.mayRead("orders-1")).isTrue();
        assertThat(orders.mayWrite("orders-1")).isTrue();
        assertThat(orders.mayRead("invoices-1")).isFalse();
        assertThat(orders.mayReadAll()).isFalse();
        assertThat(orders.isAdmin()).isFalse();
        assertThat(principals.get("reporting").mayWrite("orders-1")).isFalse();
        assertThat(principals.get("reporting").mayReadAll()).isTrue();
        assertThat(principals.get("ops").isAdmin()).isTrue();
        assertThat(principals.get("parked").mayReadSomething()).isFalse();
        assertThat(orders.describeGrants()).isEqualTo("read:orders-* write:orders-*");
    }

    @Test
    void anExactPatternNamesOneStreamAndAStarEndsAPrefix() {
        Principal one = parse("one read:orders-7 write:carts-*\n").get("one");

        assertThat(one.mayRead("orders-7")).isTrue();
        assertThat(one.mayRead("orders-70")).isFalse();
        assertThat(one.mayWrite("orders-7")).isFalse();
        assertThat(one.mayWrite("carts-")).isTrue();
        assertThat(one.mayWrite("carts-9")).isTrue();
        assertThat(one.mayReadEveryStreamStartingWith("orders-")).isFalse();
    }

    @Test
    void anUnknownGrantNamesTheLineAndTheWord() {
        GrantsFileException e = failure("ok read:*\n\n# fine\nbad raed:orders-*\n");

        assertThat(e.line()).isEqualTo(4);
        assertThat(e).hasMessage("grants.txt line 4: unknown grant 'raed:orders-*' "
                + "(use read:PATTERN, write:PATTERN, read:$all or admin)");
    }

    @Test
    void badNamesPatternsAndDuplicatesAreRefusedWithTheirLine() {
        assertThat(failure("a read:*\nb/c read:*\n")).hasMessageStartingWith("grants.txt line 2: bad principal name 'b/c'");
        assertThat(failure("a write:$all\n")).hasMessageStartingWith("grants.txt line 1: 'write:$all': only read:$all");
        assertThat(failure("a read:or*ders\n")).hasMessage("grants.txt line 1: 'read:or*ders': 'or*ders': a * may only end a stream pattern");
        assertThat(failure("a read:\n")).hasMessageStartingWith("grants.txt line 1: 'read:': a stream grant needs a pattern");
        assertThat(failure("a read:*\nb admin\na write:*\n")).hasMessage("grants.txt line 3: principal 'a' is named on an earlier line too");
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() {
        Throwable thrown = catchThrowable(() -> GrantsFile.parse(new byte[] {'a', ' ', (byte) 0xC3, '(', '\n'}, "g"));

        assertThat(thrown).isInstanceOf(GrantsFileException.class).hasMessage("g: not UTF-8 text");
    }
}
