package io.rewind.sql;

import static io.rewind.testkit.StoreAssertions.assertFails;
import static io.rewind.testkit.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.StreamInfo;
import io.rewind.api.StoreUnavailableException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What is particular to PostgreSQL: text that cannot hold U+0000, opening through a URI, an unreachable server. */
class PostgresEventStoreTest extends PostgresSchemaTest {

    @Test
    void u0000InANameOrTypeIsRefusedAndReadsOfSuchNamesFindNothing() {
        try (SqlEventStore store = PostgresEventStore.open(database.config(schema).build())) {
            store.append("plain", ExpectedVersion.noStream(), event("plain"));

            InvalidRequestException name = assertFails(
                    () -> store.append("nul\u0000name", ExpectedVersion.any(), event("refused")),
                    InvalidRequestException.class, ErrorCode.BAD_REQUEST);
            InvalidRequestException type = assertFails(
                    () -> store.append("typed", ExpectedVersion.any(), event("nul\u0000type", "refused")),
                    InvalidRequestException.class, ErrorCode.BAD_REQUEST);

            assertThat(name.getMessage()).contains("U+0000").contains("stream name");
            assertThat(type.getMessage()).contains("U+0000").contains("event type");
            assertThat(store.readStream("nul\u0000name", 0, Direction.FORWARD, 10)).isEmpty();
            assertThat(store.streamInfo("nul\u0000name")).isEmpty();
            assertThat(store.listStreams("p\u0000", null, 10).streams()).isEmpty();
            assertThat(store.listStreams("", "plain\u0000", 10).streams()).isEmpty();
            assertThat(store.listStreams("", "plai\u0000", 10).streams()).extracting(StreamInfo::stream)
                    .containsExactly("plain");
            assertThat(store.headPosition()).isZero();
        }
    }

    @Test
    void aStoreOpensFromTheUriFormsTheCliAccepts() throws SQLException {
        PostgresConfig base = database.config(schema).build();
        String hostPortDatabase = base.jdbcUrl().substring("jdbc:postgresql://".length());
        String uri = "postgresql://" + base.user().orElseThrow() + ":" + base.password().orElseThrow() + "@"
                + hostPortDatabase + "?currentSchema=" + schema;

        try (SqlEventStore store = SqlStores.open(uri, 1024)) {
            store.append("via-uri", ExpectedVersion.noStream(), event("via uri"));
        }
        try (SqlEventStore store = SqlStores.open("jdbc:postgresql://" + hostPortDatabase + "?user="
                + base.user().orElseThrow() + "&password=" + base.password().orElseThrow()
                + "&currentSchema=" + schema, 1024)) {
            assertThat(store.readStream("via-uri", 0, Direction.FORWARD, 10)).hasSize(1);
        }
    }

    @Test
    void anUnreachableServerIsUnavailableNamingTheStoreButNotThePassword() {
        PostgresConfig unreachable = PostgresConfig.builder("jdbc:postgresql://127.0.0.1:1/rewind")
                .user("rewind").password("secret-password").connectTimeout(Duration.ofSeconds(1)).build();

        StoreUnavailableException failure = assertFails(() -> PostgresEventStore.open(unreachable),
                StoreUnavailableException.class, ErrorCode.UNAVAILABLE);

        assertThat(failure.getMessage()).contains("127.0.0.1:1/rewind").doesNotContain("secret-password");
    }
}
