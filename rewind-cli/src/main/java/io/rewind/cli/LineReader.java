package io.rewind.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines without decoding them, so that any bytes (not only UTF-8) can be
 * published one event per line. A line ends at {@code \n}; a {@code \r} just before it is dropped
 * too (files written on Windows); the last line needs no line end. Empty lines are skipped. Not
 * thread-safe.
 */
final class LineReader {

    private final InputStream input;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LineReader(InputStream input) {
        this.input = new BufferedInputStream(input, 64 * 1024);
    }

    /** The next non-empty line, without its line end; {@code null} at the end of the input. */
    byte[] next() {
        try {
            while (true) {
                line.reset();
                int b;
                while ((b = input.read()) >= 0 && b != '\n') {
                    line.write(b);
                }
                byte[] bytes = withoutCarriageReturn(line.toByteArray());
                if (bytes.length > 0) {
                    return bytes;
                }
                if (b < 0) {
                    return null;
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot read stdin: " + e.getMessage(), e);
        }
    }

    private static byte[] withoutCarriageReturn(byte[] bytes) {
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
            return java.util.Arrays.copyOf(bytes, bytes.length - 1);
        }
        return bytes;
    }
}
