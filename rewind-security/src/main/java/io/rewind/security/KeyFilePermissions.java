package io.rewind.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Refuses secret files (private keys, token stores) that users other than the owner can read or
 * write: a secret others can read is no longer secret, and a server that starts with it would hide
 * the problem. On a file system without POSIX permissions the check cannot be made and passes.
 * Stateless and thread-safe.
 */
public final class KeyFilePermissions {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFilePermissions() {
    }

    /**
     * Checks that only the owner may use {@code file}, {@code what} naming it in the error.
     *
     * @throws InsecureKeyFileException if group or others have any permission on it
     * @throws IOException              if its permissions cannot be read
     */
    public static void requireOwnerOnly(Path file, String what) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        Set<PosixFilePermission> shared = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : permissions) {
            if (OTHERS.contains(permission)) {
                shared.add(permission);
            }
        }
        if (!shared.isEmpty()) {
            throw new InsecureKeyFileException(what + " " + file + " is readable or writable by group or others ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions)
                    + "): refusing to use it; run chmod 600 " + file);
        }
    }

    /** Makes {@code file} readable and writable by its owner only (where POSIX permissions exist). */
    public static void restrictToOwner(Path file) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
        }
    }
}
