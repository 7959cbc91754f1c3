package io.rewind.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared assertion of the api tests: a call refused as a bad request. */
final class Refusals {

    private Refusals() {
    }

    /** Asserts that {@code call} throws exactly InvalidRequestException, code BAD_REQUEST, naming every fragment. */
    static void assertRefused(ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call).isExactlyInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .message().contains(fragments);
    }
}
