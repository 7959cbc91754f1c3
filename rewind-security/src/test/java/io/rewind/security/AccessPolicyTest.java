package io.rewind.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessPolicyTest {

    @TempDir
    Path dir;

    @Test
    void reloadAppliesAChangedFileAndIgnoresAnUnchangedOne() throws IOException {
        Path file = Files.writeString(dir.resolve("grants"), "alice read:orders-*\nbob read:*\n");
        try (AccessPolicy policy = AccessPolicy.watch(file, Duration.ofHours(1))) {
            assertThat(policy.names()).containsExactly("alice", "bob");
            assertThat(policy.reload()).as("an unchanged file").isFalse();

            Files.writeString(file, "alice read:invoices-*\n");

            assertThat(policy.reload()).isTrue();
            assertThat(policy.principal("bob")).isEmpty();
            assertThat(policy.principal("alice").orElseThrow().mayRead("orders-1")).isFalse();
            assertThat(policy.principal("alice").orElseThrow().mayRead("invoices-1")).isTrue();
        }
    }

    @Test
    void aBrokenFileIsNotAppliedAndTheLastGoodGrantsStay() throws IOException {
        Path file = Files.writeString(dir.resolve("grants"), "alice read:orders-*\n");
        try (AccessPolicy policy = AccessPolicy.watch(file, Duration.ofHours(1))) {
            Files.writeString(file, "alice read:orders-*\nbob wrtie:*\n");

            Throwable thrown = catchThrowable(policy::reload);

            assertThat(thrown).isInstanceOf(GrantsFileException.class).hasMessageContaining("line 2");
            assertThat(policy.principal("alice")).isPresent();
            assertThat(policy.principal("bob")).isEmpty();
        }
    }

    @Test
    void aWatchedFileIsReloadedOnItsTimerAndABadOneReported() throws IOException {
        Path file = Files.writeString(dir.resolve("grants"), "alice read:*\n");
        try (AccessPolicy policy = AccessPolicy.watch(file, Duration.ofMillis(20))) {
            Files.writeString(file, "carol read:*\n");
            Await.until(() -> policy.principal("carol").isPresent(), "the timer applies the new file");
            assertThat(policy.principal("alice")).isEmpty();

            Files.writeString(file, "carol nonsense\n");
            Await.until(() -> policy.lastReloadError().isPresent(), "the timer reports the broken file");
            assertThat(policy.lastReloadError().orElseThrow()).contains("line 1").contains("'nonsense'");
            assertThat(policy.principal("carol")).isPresent();
        }
    }

    @Test
    void aBadFileAtStartIsAnErrorNamingTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("grants"), "\n\nalice read:* write\n");

        Throwable thrown = catchThrowable(() -> AccessPolicy.watch(file, Duration.ofSeconds(1)));

        assertThat(thrown).isInstanceOf(GrantsFileException.class)
                .hasMessage(file + " line 3: unknown grant 'write' (use read:PATTERN, write:PATTERN, read:$all or admin)");
    }

    @Test
    void keyFilesOthersMayReadAreRefused() throws IOException {
        Path key = Files.writeString(dir.resolve("secret"), "x");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        Throwable thrown = catchThrowable(() -> KeyFilePermissions.requireOwnerOnly(key, "secret key file"));

        assertThat(thrown).isInstanceOf(InsecureKeyFileException.class)
                .hasMessage("secret key file " + key + " is readable or writable by group or others (rw-r--r--): "
                        + "refusing to use it; run chmod 600 " + key);
        KeyFilePermissions.restrictToOwner(key);
        KeyFilePermissions.requireOwnerOnly(key, "secret key file");
    }
}
