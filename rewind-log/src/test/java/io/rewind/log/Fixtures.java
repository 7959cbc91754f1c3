package io.rewind.log;

import io.rewind.api.EventData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Helpers shared by the log's tests: events, directory copies, on-disk inspection. */
final class Fixtures {

    private Fixtures() {
    }

    /** An event with a fresh client id and a 100-byte payload that encodes {@code n}. */
    static EventData event(int n) {
        byte[] data = new byte[100];
        byte[] label = Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(label, 0, data, 0, label.length);
        return EventData.of(UUID.randomUUID(), "type-" + (n % 3), data);
    }

    static List<EventData> events(int from, int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(from + i));
        }
        return events;
    }

    /**
     * Copies every store file (not the lock) of {@code source} into a new directory: the state a
     * crash would leave right now, because with durability ALWAYS everything acknowledged is
     * forced and nothing else is being written while the test waits.
     */
    static Path crashCopy(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!file.getFileName().toString().equals(DirectoryLock.FILE_NAME)) {
                    Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    static List<Path> filesEndingWith(Path directory, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    static List<Path> filesContaining(Path directory, String part) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().contains(part)).sorted().toList();
        }
    }

    /** The offsets of the records of a segment file, in order. */
    static List<Long> recordOffsets(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Long> offsets = new ArrayList<>();
        int at = Segment.HEADER_BYTES;
        while (at + RecordCodec.FRAME_BYTES <= bytes.limit()) {
            offsets.add((long) at);
            at += RecordCodec.totalSize(bytes, at);
        }
        return offsets;
    }

    /** Flips every bit of the byte at {@code offset}. */
    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) 0xFF;
        Files.write(file, bytes);
    }

    /** Every store file's name and content digest (not the lock file), to prove a refused open changed nothing. */
    static java.util.Map<String, String> snapshot(Path directory) throws IOException {
        java.util.Map<String, String> contents = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.equals(DirectoryLock.FILE_NAME)) {
                    contents.put(name, sha256(Files.readAllBytes(file)));
                }
            }
        }
        return contents;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
