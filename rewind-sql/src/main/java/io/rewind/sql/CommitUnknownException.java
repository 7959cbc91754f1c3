package io.rewind.sql;

import java.sql.SQLException;

/**
 * The commit statement of an append transaction failed: the database may or may not have made it
 * durable (the connection can drop after the commit reached the server). Package-private: the writer
 * turns it into a {@link io.rewind.api.StoreUnavailableException} that says so.
 */
final class CommitUnknownException extends Exception {
    private static final long serialVersionUID = 1L;

    CommitUnknownException(SQLException cause) {
        super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
