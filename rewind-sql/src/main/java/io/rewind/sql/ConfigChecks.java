package io.rewind.sql;

/** The checks both stores' configuration builders make on the settings they share. Stateless. */
final class ConfigChecks {

    private ConfigChecks() {
    }

    /** {@code bytes}, the largest data + metadata one event may have, if it is not negative. */
    static int maxEventBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxEventBytes must be >= 0, was " + bytes);
        }
        return bytes;
    }

    /** {@code connections}, the size of the read pool, if it is at least 1. */
    static int readConnections(int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("readConnections must be >= 1, was " + connections);
        }
        return connections;
    }
}
