package io.rewind.security;

/** A secret file others may read or write; the message names it and says how to fix it. */
public final class InsecureKeyFileException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public InsecureKeyFileException(String message) {
        super(message);
    }
}
