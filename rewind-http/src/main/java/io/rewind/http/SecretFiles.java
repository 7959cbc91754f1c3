package io.rewind.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Checks on files that hold secrets (a TLS private key, a PKCS12 key store, its password, the
 * token file): they must exist and must not be readable by the group or by others, as ssh does
 * for its keys. On a file system without POSIX permissions the check is skipped. Stateless.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Refuses {@code file} unless it is a readable regular file that only its owner may read.
     *
     * @param what what the file is, for the message ("--http-tls-key")
     * @throws SecurityConfigException naming the file and how to fix it
     */
    public static void checkPrivate(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new SecurityConfigException(what + ": " + file + " is not a file");
        }
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = view.readAttributes().permissions();
        } catch (IOException e) {
            throw new SecurityConfigException(what + ": cannot read the permissions of " + file + ": " + e.getMessage(), e);
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)
                || permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new SecurityConfigException(what + ": " + file + " is readable or writable by others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "); run chmod 600 " + file);
        }
    }
}
