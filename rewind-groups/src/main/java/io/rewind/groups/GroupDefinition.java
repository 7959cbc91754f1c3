package io.rewind.groups;

import io.rewind.api.InvalidRequestException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A group as it is stored: its name, settings, filter and the position it started after. Immutable.
 *
 * @param name       1 to {@value #MAX_NAME_LENGTH} characters of {@code A-Z a-z 0-9 . _ -}
 * @param settings   how it hands out events
 * @param filter     which events it receives
 * @param startAfter the position it started after (-1 for the beginning), fixed at creation
 */
public record GroupDefinition(String name, GroupSettings settings, GroupFilter filter, long startAfter) {

    public static final int MAX_NAME_LENGTH = 100;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");

    public GroupDefinition {
        checkName(name);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(filter, "filter");
        if (startAfter < -1) {
            throw new InvalidRequestException("group '" + name + "' must start after position -1 or more, was "
                    + startAfter);
        }
    }

    /** Checks a group name; the name becomes part of system stream names, hence the narrow alphabet. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("a group name must be 1 to " + MAX_NAME_LENGTH
                    + " characters of A-Z, a-z, 0-9, '.', '_' or '-', was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
