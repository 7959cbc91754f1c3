package io.rewind.groups;

import io.rewind.api.InvalidRequestException;

/**
 * Where a new group starts: from the first event, after a position, or after the store's head at
 * the moment it is created ("now"). The service turns it into a position once, at creation, and
 * stores that position, so a restart never moves the start. Immutable.
 *
 * @param afterPosition the position the group starts after; -1 for the beginning; ignored for now
 * @param now           start after the head at creation
 */
public record GroupStart(long afterPosition, boolean now) {

    public GroupStart {
        if (afterPosition < -1) {
            throw new InvalidRequestException("a group starts after position -1 or more, was " + afterPosition);
        }
    }

    public static GroupStart beginning() {
        return new GroupStart(-1, false);
    }

    /** Every event whose position is greater than {@code position}. */
    public static GroupStart after(long position) {
        return new GroupStart(position, false);
    }

    public static GroupStart fromNow() {
        return new GroupStart(-1, true);
    }
}
