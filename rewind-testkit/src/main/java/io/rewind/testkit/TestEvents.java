package io.rewind.testkit;

import io.rewind.api.EventData;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Makes events for tests: each with a fresh client id (so it can be recognised as a retry), a
 * type, and data and metadata that say which event it is. Stateless and thread-safe.
 */
public final class TestEvents {

    /** The type of the events made here unless another is given. */
    public static final String TYPE = "test-event";

    private TestEvents() {
    }

    /** An event with a fresh id whose data is {@code text} in UTF-8 and whose metadata names it. */
    public static EventData event(String text) {
        return event(TYPE, text);
    }

    /** An event with a fresh id, the given type, {@code text} as data and {@code meta:text} as metadata. */
    public static EventData event(String type, String text) {
        return new EventData(UUID.randomUUID(), type, utf8(text), utf8("meta:" + text));
    }

    /** {@code count} events with fresh ids and the texts {@code label-0} ... {@code label-(count-1)}. */
    public static List<EventData> events(String label, int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(label + "-" + i));
        }
        return events;
    }

    /** An event without an id: the store assigns one, and it can never be recognised as a retry. */
    public static EventData withoutId(String text) {
        return new EventData(null, TYPE, utf8(text), utf8("meta:" + text));
    }

    /** The data of a recorded event read as UTF-8 text. */
    public static String text(RecordedEvent event) {
        return new String(event.data(), StandardCharsets.UTF_8);
    }

    /** {@code size} pseudo-random bytes, the same for the same seed. */
    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The 256 byte values 0x00 to 0xFF, each once, in a scrambled order ending with 0x00. */
    public static byte[] allByteValues() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            // 255 - i, then multiplied by an odd number modulo 256: a permutation of 0..255.
            bytes[i] = (byte) ((255 - i) * 167);
        }
        return bytes;
    }

    /** The UTF-8 bytes of {@code text}. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
