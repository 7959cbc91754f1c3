package io.rewind.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.rewind.api.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.postgresql.Driver;

/**
 * Opens the shared SQL store: a PostgreSQL database that several Rewind servers may use at once.
 * Each store has a pool of connections for reads (HikariCP), one pooled connection for its writer,
 * and one connection that LISTENs for other servers' commits. Appends are durable on return with
 * PostgreSQL's default {@code synchronous_commit}. Stateless.
 */
public final class PostgresEventStore {

    /** The LISTEN/NOTIFY channel of a store in the default schema; a schema's store appends its name. */
    static final String CHANNEL = "rewind_events";
    /** PostgreSQL truncates identifiers, channel names included, to 63 bytes. */
    private static final int MAX_IDENTIFIER_BYTES = 63;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private PostgresEventStore() {
    }

    /**
     * Connects, creates the schema (and the configured schema namespace) if missing or checks its
     * version, and starts listening for other servers' commits.
     *
     * @throws SchemaVersionException    if the database holds a newer Rewind schema
     * @throws StoreUnavailableException if the database cannot be reached or set up
     */
    public static SqlEventStore open(PostgresConfig config) {
        String name = "PostgreSQL store " + config.describe();
        PostgresDialect dialect = new PostgresDialect(channel(config));
        int id = COUNTER.incrementAndGet();
        HikariDataSource writeConnections = null;
        HikariDataSource readConnections = null;
        SqlEventStore store = null;
        try {
            writeConnections = pool(config, "rewind-pg-write-" + id, 1);
            try (Connection connection = writeConnections.getConnection()) {
                createNamespace(connection, dialect, config);
                Schema.ensure(connection, dialect, name);
            }
            readConnections = pool(config, "rewind-pg-read-" + id, config.readConnections());
            store = new SqlEventStore(name, dialect, readConnections, writeConnections, config.maxEventBytes(),
                    config.clock());
            store.attachNotifications(PostgresNotifications.start(name, () -> connect(config), dialect,
                    store::refreshHead));
            return store;
        } catch (SQLException | HikariPool.PoolInitializationException e) {
            SqlEventStore.closePools(readConnections, writeConnections);
            throw new StoreUnavailableException("cannot open " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            SqlEventStore.closePools(readConnections, writeConnections);
            throw e;
        }
    }

    /**
     * The channel of the store's events: one per schema, so that stores in other schemas of the same
     * database do not wake this one. Too long a name is replaced by a checksum of it.
     */
    static String channel(PostgresConfig config) {
        if (config.schema().isEmpty()) {
            return CHANNEL;
        }
        String channel = CHANNEL + "." + config.schema().get();
        if (channel.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return channel;
        }
        CRC32C checksum = new CRC32C();
        checksum.update(channel.getBytes(StandardCharsets.UTF_8));
        return CHANNEL + "." + HexFormat.of().toHexDigits((int) checksum.getValue());
    }

    /**
     * Creates the configured schema when it is missing. {@code CREATE SCHEMA IF NOT EXISTS} alone is
     * not safe against a concurrent one (two servers starting together on a fresh schema: one fails
     * on the catalog's unique index), so it runs in a transaction holding the advisory lock that
     * also serialises table creation.
     */
    private static void createNamespace(Connection connection, PostgresDialect dialect, PostgresConfig config)
            throws SQLException {
        if (config.schema().isEmpty()) {
            return;
        }
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            dialect.lockSchema(connection);
            // The pool's search path already names it, so the tables are created in it.
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresDialect.quoteIdentifier(config.schema().get()));
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static HikariDataSource pool(PostgresConfig config, String poolName, int size) {
        HikariConfig settings = new HikariConfig();
        settings.setJdbcUrl(config.jdbcUrl());
        // Named, not looked up through DriverManager's service files, which a fat jar may have merged away.
        settings.setDriverClassName(Driver.class.getName());
        config.user().ifPresent(settings::setUsername);
        config.password().ifPresent(settings::setPassword);
        config.schema().ifPresent(settings::setSchema);
        settings.setPoolName(poolName);
        settings.setMaximumPoolSize(size);
        settings.setMinimumIdle(1);
        settings.setAutoCommit(true);
        settings.setConnectionTimeout(config.connectTimeout().toMillis());
        settings.setDataSourceProperties(driverProperties(config));
        return new HikariDataSource(settings);
    }

    /** A new connection outside the pools, for LISTEN. */
    private static Connection connect(PostgresConfig config) throws SQLException {
        Properties properties = driverProperties(config);
        config.user().ifPresent(user -> properties.setProperty("user", user));
        config.password().ifPresent(password -> properties.setProperty("password", password));
        return new Driver().connect(config.jdbcUrl(), properties);
    }

    private static Properties driverProperties(PostgresConfig config) {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", "rewind");
        // One multi-row INSERT per append instead of one statement per event.
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        return properties;
    }
}
