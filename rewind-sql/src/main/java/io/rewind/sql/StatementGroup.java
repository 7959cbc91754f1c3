package io.rewind.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements of one transaction that run one after the other with nothing decided between them,
 * so that PostgreSQL can take them in one round trip: joined with {@code ;} into one prepared
 * statement, which the JDBC driver sends as one pipeline (each statement parsed, bound and run in
 * turn, then one sync), and whose results are read back in order. The server still runs them in
 * order: a statement that waits for a lock (the head row) holds back the ones after it, which then
 * see everything committed before the lock was granted. Other databases (SQLite, in-process) run
 * them one by one.
 *
 * <p>Used by {@link AppendTransaction}: the head-row lock with the batch's look-ups, and the batch's
 * writes with the head update and the notification, so that an append transaction makes three round
 * trips (those two and the commit) whatever the size of its batch. A statement that fails stops the
 * group: the transaction is then aborted, and the caller rolls it back.
 *
 * <p>Only the last statement of a group may return a large answer: the server answers each
 * statement while the driver may still be sending the next ones, and a large answer ahead of them
 * could fill both directions' socket buffers.
 *
 * <p>Not thread-safe: built and run by the one thread that owns the transaction.
 */
final class StatementGroup {

    /**
     * Parameters bound in one round trip at most: far under the protocol's 65,535 per statement; a
     * group with more is sent in several round trips.
     */
    static final int MAX_PARAMETERS_TOGETHER = 30_000;

    /** Binds a statement's parameters from {@code first} on. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement, int first) throws SQLException;
    }

    /** Reads the rows a query returned. */
    @FunctionalInterface
    interface RowReader {
        void read(ResultSet rows) throws SQLException;
    }

    private record Part(String sql, int parameters, Binder binder, RowReader rows) {
    }

    private final List<Part> parts = new ArrayList<>();

    /** Adds a query whose rows {@code rows} reads. */
    StatementGroup query(String sql, int parameters, Binder binder, RowReader rows) {
        parts.add(new Part(sql, parameters, binder, rows));
        return this;
    }

    /** Adds a statement whose effect only matters (an insert, an update; a query whose rows are ignored). */
    StatementGroup update(String sql, int parameters, Binder binder) {
        parts.add(new Part(sql, parameters, binder, null));
        return this;
    }

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /**
     * Runs every statement added so far, in order, and empties the group.
     *
     * @param together whether the database takes several statements in one prepared statement
     */
    void run(Connection connection, boolean together) throws SQLException {
        List<Part> toRun = List.copyOf(parts);
        parts.clear();
        if (!together) {
            for (Part part : toRun) {
                runTogether(connection, List.of(part));
            }
            return;
        }
        List<Part> trip = new ArrayList<>();
        int parameters = 0;
        for (Part part : toRun) {
            if (!trip.isEmpty() && parameters + part.parameters > MAX_PARAMETERS_TOGETHER) {
                runTogether(connection, trip);
                trip = new ArrayList<>();
                parameters = 0;
            }
            trip.add(part);
            parameters += part.parameters;
        }
        if (!trip.isEmpty()) {
            runTogether(connection, trip);
        }
    }

    private static void runTogether(Connection connection, List<Part> trip) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (Part part : trip) {
            if (sql.length() > 0) {
                sql.append("; ");
            }
            sql.append(part.sql);
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int index = 1;
            for (Part part : trip) {
                part.binder.bind(statement, index);
                index += part.parameters;
            }
            boolean rows = statement.execute();
            for (int i = 0; i < trip.size(); i++) {
                Part part = trip.get(i);
                if (part.rows != null) {
                    if (!rows) {
                        throw new SQLException("expected rows from: " + part.sql);
                    }
                    try (ResultSet result = statement.getResultSet()) {
                        part.rows.read(result);
                    }
                }
                if (i + 1 < trip.size()) {
                    rows = statement.getMoreResults();
                }
            }
        }
    }
}
