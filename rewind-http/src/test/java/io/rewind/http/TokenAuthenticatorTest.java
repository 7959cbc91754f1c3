package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file keeps only salted hashes; the authenticator follows it as tokens are added and revoked. */
class TokenAuthenticatorTest {

    @TempDir
    Path temp;

    @Test
    void aTokenAuthenticatesItsPrincipalAndTheFileHoldsNoSecret() throws Exception {
        Path file = temp.resolve("tokens");
        TokenFile.Issued issued = TokenFile.add(file, "ci pipeline", "ci");
        assertThat(issued.token()).matches("rwt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
        String secret = issued.token().substring(issued.token().lastIndexOf('_') + 1);
        String stored = Files.readString(file);
        assertThat(stored).doesNotContain(secret).doesNotContain(issued.token()).contains(issued.entry().id());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        TokenAuthenticator tokens = TokenAuthenticator.open(file);
        assertThat(tokens.authenticate("Bearer " + issued.token()))
                .isEqualTo(new TokenAuthenticator.Authenticated("ci"));
        assertThat(tokens.authenticate("bearer  " + issued.token() + " "))
                .isEqualTo(new TokenAuthenticator.Authenticated("ci"));
        assertThat(tokens.authenticate(null)).isInstanceOf(TokenAuthenticator.Missing.class);
        assertThat(tokens.authenticate("Basic dXNlcjpwYXNz")).isInstanceOf(TokenAuthenticator.Missing.class);
        // The right id with another secret, a wrong id with the right secret, and garbage.
        String otherSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        String id = issued.entry().id();
        assertThat(tokens.authenticate("Bearer rwt_" + id + "_" + otherSecret)).isInstanceOf(TokenAuthenticator.Invalid.class);
        assertThat(tokens.authenticate("Bearer rwt_000000000000_" + secret)).isInstanceOf(TokenAuthenticator.Invalid.class);
        assertThat(tokens.authenticate("Bearer " + issued.token() + "x")).isInstanceOf(TokenAuthenticator.Invalid.class);
        assertThat(tokens.authenticate("Bearer ")).isInstanceOf(TokenAuthenticator.Invalid.class);
    }

    @Test
    void aRevokedTokenStopsWorkingWithinTheReloadIntervalAndANewOneStarts() throws Exception {
        Path file = temp.resolve("tokens");
        TokenFile.Issued first = TokenFile.add(file, "first", "alice");
        TokenAuthenticator tokens = TokenAuthenticator.open(file);
        assertThat(tokens.authenticate("Bearer " + first.token())).isInstanceOf(TokenAuthenticator.Authenticated.class);
        TokenFile.Issued second = TokenFile.add(file, "second", "bob");
        assertThat(TokenFile.revoke(file, first.entry().id())).isTrue();
        assertThat(TokenFile.revoke(file, first.entry().id())).as("revoked already").isFalse();
        long revoked = System.nanoTime();
        long deadline = revoked + 2 * TokenAuthenticator.RELOAD_INTERVAL.toNanos();
        while (tokens.authenticate("Bearer " + first.token()) instanceof TokenAuthenticator.Authenticated) {
            assertThat(System.nanoTime()).as("the revoked token is refused within twice the interval").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(System.nanoTime() - revoked).isLessThanOrEqualTo(2 * TokenAuthenticator.RELOAD_INTERVAL.toNanos());
        assertThat(tokens.authenticate("Bearer " + second.token())).isEqualTo(new TokenAuthenticator.Authenticated("bob"));
    }

    @Test
    void aMalformedFileIsRefusedAtStartAndFailsClosedWhenItBreaksLater() throws Exception {
        Path file = temp.resolve("tokens");
        TokenFile.Issued issued = TokenFile.add(file, "t", "alice");
        TokenAuthenticator tokens = TokenAuthenticator.open(file);
        Path broken = temp.resolve("broken");
        Files.writeString(broken, "not a token line\n", StandardCharsets.UTF_8);
        TestCertificates.ownerOnly(broken);
        assertThatThrownBy(() -> TokenAuthenticator.open(broken)).isInstanceOf(SecurityConfigException.class)
                .hasMessageContaining("line 1");
        Files.move(broken, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + 2 * TokenAuthenticator.RELOAD_INTERVAL.toNanos();
        while (tokens.authenticate("Bearer " + issued.token()) instanceof TokenAuthenticator.Authenticated) {
            assertThat(System.nanoTime()).as("a broken file accepts no token").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void refusesATokenFileOthersMayRead() throws Exception {
        Path file = temp.resolve("tokens");
        TokenFile.add(file, "t", "alice");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> TokenAuthenticator.open(file)).isInstanceOf(SecurityConfigException.class)
                .hasMessageContaining("chmod 600");
    }
}
