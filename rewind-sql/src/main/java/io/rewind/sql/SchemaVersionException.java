package io.rewind.sql;

import io.rewind.api.StoreUnavailableException;

/**
 * The database holds a Rewind schema newer than this code knows: a newer Rewind wrote it, and this
 * one refuses to read or write it rather than misread it. Upgrade Rewind to use the database.
 */
public final class SchemaVersionException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    private final int storedVersion;
    private final int supportedVersion;

    public SchemaVersionException(String where, int storedVersion, int supportedVersion) {
        super(where + " holds Rewind schema version " + storedVersion + ", newer than version "
                + supportedVersion + ", the newest this Rewind knows: upgrade Rewind to use it");
        this.storedVersion = storedVersion;
        this.supportedVersion = supportedVersion;
    }

    /** The version found in {@code rewind_schema_version}. */
    public int storedVersion() {
        return storedVersion;
    }

    /** The newest version this code reads and writes. */
    public int supportedVersion() {
        return supportedVersion;
    }
}
