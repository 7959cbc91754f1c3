package io.rewind.security;

/** A grants file that cannot be read as written: the message names the file, the line and the fault. */
public final class GrantsFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int line;

    GrantsFileException(String source, int line, String problem) {
        super(source + (line > 0 ? " line " + line : "") + ": " + problem);
        this.line = line;
    }

    /** The line at fault, from 1; 0 when the fault is the whole file. */
    public int line() {
        return line;
    }
}
