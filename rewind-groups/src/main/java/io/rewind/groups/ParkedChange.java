package io.rewind.groups;

/**
 * A change to a group's parked list that must be made durable before the checkpoint moves past the
 * event it names; see {@link GroupDispatcher#drainParkedChanges()}.
 */
public sealed interface ParkedChange {

    /** The global position of the event the change is about. */
    long position();

    /** The event was put in the parked list (again, after a failed replay). */
    record Parked(ParkedEvent parked) implements ParkedChange {
        @Override
        public long position() {
            return parked.position();
        }
    }

    /** A replayed event was acked or skipped: it leaves the parked list for good. */
    record Resolved(long position) implements ParkedChange {
    }
}
