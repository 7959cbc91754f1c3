package io.rewind.log.crash;

import io.rewind.api.EventData;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The events the crash writer appends, made so that the verifier can rebuild an event's whole
 * content from its id alone. That lets it check not only the acknowledged events but every event
 * it finds on disk: a stored event whose bytes differ from what its id says is corruption.
 *
 * <p>An id encodes (round, writer thread, group size) in its high half and (sequence, member) in
 * its low half; the members of one append share everything but the member index.
 */
final class CrashEvents {

    static final String TYPE = "CrashTest";

    private CrashEvents() {
    }

    static UUID id(int round, int thread, int groupSize, long sequence, int member) {
        long high = ((long) round << 32) | ((long) thread << 8) | groupSize;
        long low = (sequence << 8) | member;
        return new UUID(high, low);
    }

    static int groupSize(UUID id) {
        return (int) (id.getMostSignificantBits() & 0xFF);
    }

    /** The id of member {@code member} of the append that {@code id} belongs to. */
    static UUID sibling(UUID id, int member) {
        return new UUID(id.getMostSignificantBits(), (id.getLeastSignificantBits() & ~0xFFL) | member);
    }

    static EventData event(UUID id) {
        return new EventData(id, TYPE, data(id), metadata(id));
    }

    static byte[] data(UUID id) {
        SplittableRandom random = new SplittableRandom(id.getMostSignificantBits() * 31 + id.getLeastSignificantBits());
        byte[] data = new byte[random.nextInt(301)];
        random.nextBytes(data);
        return data;
    }

    static byte[] metadata(UUID id) {
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether a stored event has exactly the content its id implies. */
    static boolean intact(RecordedEvent event) {
        return TYPE.equals(event.type())
                && event.dataEquals(data(event.id()))
                && event.metadataEquals(metadata(event.id()));
    }
}
