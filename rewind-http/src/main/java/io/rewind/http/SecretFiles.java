package io.rewind.http;

import io.rewind.security.InsecureKeyFileException;
import io.rewind.security.KeyFilePermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks on files that hold secrets (a TLS private key, a PKCS12 key store, its password, the
 * token file): they must be regular files that only their owner may read or write, as the security
 * module's {@link KeyFilePermissions} checks (and as ssh does for its keys). Stateless.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Refuses {@code file} unless it is a regular file that only its owner may use.
     *
     * @param what what the file is, for the message ("--http-tls-key")
     * @throws SecurityConfigException naming the file and how to fix it
     */
    public static void checkPrivate(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new SecurityConfigException(what + ": " + file + " is not a file");
        }
        try {
            KeyFilePermissions.requireOwnerOnly(file, what + ":");
        } catch (InsecureKeyFileException e) {
            throw new SecurityConfigException(e.getMessage(), e);
        } catch (IOException e) {
            throw new SecurityConfigException(what + ": cannot read the permissions of " + file + ": " + e.getMessage(), e);
        }
    }
}
