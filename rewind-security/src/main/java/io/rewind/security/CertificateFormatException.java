package io.rewind.security;

/** A certificate file that cannot be read as written: the message names the file and, where it can, the line. */
public final class CertificateFormatException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public CertificateFormatException(String message) {
        super(message);
    }
}
