package io.rewind.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The store URIs the CLI passes on. */
class SqlStoresTest {

    @Test
    void aSqliteUriNamesItsFile() {
        SqliteConfig config = SqlStores.sqliteConfig("sqlite:data/events.db", 1234);

        assertThat(config.file()).isEqualTo(Path.of("data/events.db"));
        assertThat(config.maxEventBytes()).isEqualTo(1234);
        assertThatThrownBy(() -> SqlStores.sqliteConfig("sqlite:", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sqlite:FILE");
    }

    @Test
    void aPostgresqlUriBecomesAJdbcUrlWithDecodedCredentials() {
        PostgresConfig config = SqlStores.postgresConfig(
                "postgresql://ann:p%40ss%3Aw+rd@db.example:5433/events?sslmode=disable&currentSchema=tenant_1", 99);

        assertThat(config.jdbcUrl())
                .isEqualTo("jdbc:postgresql://db.example:5433/events?sslmode=disable&currentSchema=tenant_1");
        assertThat(config.user()).contains("ann");
        assertThat(config.password()).contains("p@ss:w+rd");
        assertThat(config.schema()).contains("tenant_1");
        assertThat(config.maxEventBytes()).isEqualTo(99);
        assertThat(config.toString()).doesNotContain("p@ss").doesNotContain("sslmode");
    }

    @Test
    void theShortSchemeAUserWithoutPasswordAndTheDefaultPortAreAccepted() {
        PostgresConfig config = SqlStores.postgresConfig("postgres://ann@localhost/events", 1);

        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/events");
        assertThat(config.user()).contains("ann");
        assertThat(config.password()).isEmpty();
        assertThat(config.schema()).isEmpty();
    }

    @Test
    void aJdbcUrlIsPassedAsItIs() {
        String url = "jdbc:postgresql://localhost:5432/events?user=ann&password=secret&currentSchema=s";

        PostgresConfig config = SqlStores.postgresConfig(url, 1);

        assertThat(config.jdbcUrl()).isEqualTo(url);
        assertThat(config.user()).isEmpty();
        assertThat(config.schema()).contains("s");
        assertThat(SqlStores.handles(url)).isTrue();
    }

    @Test
    void aMultiHostUriKeepsEveryHostForTheDriver() {
        PostgresConfig config = SqlStores.postgresConfig("postgresql://ann:s%40cret@db1:5433,db2,10.0.0.3:6000/events"
                + "?targetServerType=primary&currentSchema=tenant", 1);

        assertThat(config.jdbcUrl()).isEqualTo(
                "jdbc:postgresql://db1:5433,db2,10.0.0.3:6000/events?targetServerType=primary&currentSchema=tenant");
        assertThat(config.user()).contains("ann");
        assertThat(config.password()).contains("s@cret");
        assertThat(config.schema()).contains("tenant");
        assertThatThrownBy(() -> SqlStores.postgresConfig("postgresql://ann:secret@db1,db 2/events", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SqlStores.postgresConfig("postgresql://ann:secret@db1,/events", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed").hasMessageNotContaining("secret");
    }

    @Test
    void otherUrisAreRefusedWithoutShowingTheirPassword() {
        assertThat(SqlStores.handles("log:./data")).isFalse();
        assertThat(SqlStores.handles("memory:")).isFalse();
        assertThatThrownBy(() -> SqlStores.postgresConfig("mysql://ann:secret@host/db", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql://").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SqlStores.postgresConfig("postgresql://ann:secret@host", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SqlStores.postgresConfig("postgresql://ann:se cret@host/db", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed").hasMessageNotContaining("se cret");
    }
}
