package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a restart, a revoked token (rewind tokens revoke) and a principal removed from the
 * grants file stop working over HTTP within the stated time: {@link TokenAuthenticator#RELOAD_INTERVAL}
 * for the token file, the policy's reload period for the grants file (one second each); the test
 * allows twice that on a loaded machine.
 */
class TokenRevocationTest {

    private static final long ALLOWED_NANOS = 2 * TokenAuthenticator.RELOAD_INTERVAL.toNanos() + 500_000_000L;

    @TempDir
    Path temp;

    @Test
    void aRevokedTokenIsRefusedWithinTheReloadInterval() throws Exception {
        try (SecuredServer http = new SecuredServer(temp, null)) {
            String token = http.tokens.get("orders");
            assertThat(http.send("GET", "/api/streams", null, token).status()).isEqualTo(200);
            String id = token.substring(4, 16);
            assertThat(TokenFile.revoke(http.tokenFile, id)).isTrue();
            long revoked = System.nanoTime();
            awaitStatus(http, token, 401, revoked);
            assertThat(http.send("GET", "/api/streams", null, http.tokens.get("admin")).status())
                    .as("the other tokens still work").isEqualTo(200);
        }
    }

    @Test
    void aPrincipalRemovedFromTheGrantsFileIsRefusedWithinTheReloadPeriod() throws Exception {
        try (SecuredServer http = new SecuredServer(temp, null)) {
            String token = http.tokens.get("orders");
            assertThat(http.send("GET", "/api/streams", null, token).status()).isEqualTo(200);
            Files.writeString(temp.resolve("grants"), SecuredServer.GRANTS.replaceAll("(?m)^orders .*\n", ""));
            awaitStatus(http, token, 401, System.nanoTime());
        }
    }

    private static void awaitStatus(SecuredServer http, String token, int status, long since) {
        while (true) {
            SecuredServer.Answer answer = http.send("GET", "/api/streams", null, token);
            if (answer.status() == status) {
                assertThat(System.nanoTime() - since).as("nanoseconds until refused").isLessThan(ALLOWED_NANOS);
                return;
            }
            assertThat(answer.status()).isEqualTo(200);
            assertThat(System.nanoTime() - since).as("still accepted after").isLessThan(ALLOWED_NANOS);
        }
    }
}
