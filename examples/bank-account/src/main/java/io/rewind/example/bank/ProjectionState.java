package io.rewind.example.bank;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the read side saves: the balances and the global position they include, together in one
 * file, so that they can never disagree. Written to a temporary file, synced, renamed over the old
 * one and the directory synced: after a crash the file is either the old state or the new one,
 * whole. A restarted projection resumes after the saved position, so every event counts once.
 *
 * <p>The file is a properties file: {@code position=N} and one {@code balance.<account>=<cents>}
 * line per account. Immutable and thread-safe.
 *
 * @param position the position of the last event included; -1 when none is
 * @param balances balance in cents by account id
 */
record ProjectionState(long position, Map<String, Long> balances) {

    private static final String POSITION = "position";
    private static final String BALANCE = "balance.";

    ProjectionState {
        balances = Map.copyOf(balances);
    }

    static ProjectionState empty() {
        return new ProjectionState(-1, Map.of());
    }

    /** The saved state, or {@link #empty()} when the file does not exist. */
    static ProjectionState load(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read projection state " + file, e);
        }
        String position = properties.getProperty(POSITION);
        if (position == null) {
            throw new IllegalStateException("projection state " + file + " has no position");
        }
        Map<String, Long> balances = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(BALANCE)) {
                balances.put(key.substring(BALANCE.length()), Long.parseLong(properties.getProperty(key)));
            }
        }
        return new ProjectionState(Long.parseLong(position), balances);
    }

    /** Replaces the file with this state, atomically and durably. */
    void save(Path file) {
        Properties properties = new Properties();
        properties.setProperty(POSITION, Long.toString(position));
        balances.forEach((account, cents) -> properties.setProperty(BALANCE + account, Long.toString(cents)));
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                properties.store(out, "Rewind bank example: balances up to global position " + position);
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save projection state " + file, e);
        }
    }
}
