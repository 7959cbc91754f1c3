package io.rewind.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the store's channel on a dedicated connection and calls {@code onWake} whenever some
 * server (this one included) commits events, so that subscriptions on this server wake up for
 * events it did not write. The notification is only the wake-up: {@code onWake} reads the head from
 * the table. It is also called each time listening (re)starts, which covers whatever committed while
 * the connection was down; subscriptions meanwhile still find new events at their idle poll.
 *
 * <p>Thread-safe: one thread of its own; {@link #close} from any thread.
 */
final class PostgresNotifications implements AutoCloseable {

    /** Opens a new, unpooled connection to the store's database. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection connect() throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNotifications.class);
    private static final int WAIT_MS = 1_000;
    private static final long RECONNECT_PAUSE_MS = 1_000;
    private static final long CLOSE_JOIN_MS = 10_000;
    /** Aborting a connection needs an executor; running the abort in the caller is what we want. */
    private static final Executor RUN_IN_CALLER = Runnable::run;

    private final String storeName;
    private final ConnectionSource connections;
    private final PostgresDialect dialect;
    private final Runnable onWake;
    private final CountDownLatch closedSignal = new CountDownLatch(1);
    private final Thread thread;
    private volatile Connection current;

    private PostgresNotifications(String storeName, ConnectionSource connections, PostgresDialect dialect,
            Runnable onWake) {
        this.storeName = storeName;
        this.connections = connections;
        this.dialect = dialect;
        this.onWake = onWake;
        this.thread = new Thread(this::run, "rewind-pg-listen-" + storeName);
        this.thread.setDaemon(true);
    }

    /** Starts listening on a thread of its own. */
    static PostgresNotifications start(String storeName, ConnectionSource connections, PostgresDialect dialect,
            Runnable onWake) {
        PostgresNotifications notifications = new PostgresNotifications(storeName, connections, dialect, onWake);
        notifications.thread.start();
        return notifications;
    }

    private boolean isClosed() {
        return closedSignal.getCount() == 0;
    }

    private void run() {
        while (!isClosed()) {
            try (Connection connection = connections.connect()) {
                current = connection;
                if (isClosed()) {
                    return;
                }
                dialect.listen(connection);
                wake();
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (!isClosed()) {
                    PGNotification[] received = notifications.getNotifications(WAIT_MS);
                    if (received != null && received.length > 0) {
                        wake();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                LOG.warn("lost the notification connection of {}; listening again in {} ms: {}", storeName,
                        RECONNECT_PAUSE_MS, e.toString());
                pauseBeforeReconnecting();
            } finally {
                current = null;
            }
        }
    }

    private void wake() {
        try {
            onWake.run();
        } catch (RuntimeException e) {
            // The store is closing, or the database is briefly unreachable: the next wake-up or the
            // subscriptions' own idle poll catches up.
            LOG.debug("could not refresh the head of {} after a notification", storeName, e);
        }
    }

    private void pauseBeforeReconnecting() {
        try {
            closedSignal.await(RECONNECT_PAUSE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closedSignal.countDown();
        }
    }

    /** Stops listening: aborts the connection, so the thread need not wait out its poll. Idempotent. */
    @Override
    public void close() {
        closedSignal.countDown();
        Connection connection = current;
        if (connection != null) {
            try {
                connection.abort(RUN_IN_CALLER);
            } catch (SQLException e) {
                LOG.debug("aborting the notification connection of {} failed", storeName, e);
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
