package io.rewind.log;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ids for events that arrive without one: random (version 4, IETF variant) UUIDs, 122 random
 * bits each, taken from AES-128 in counter mode under a key and a counter start drawn from
 * {@link SecureRandom} when the generator is made.
 *
 * <p>Why not {@link UUID#randomUUID()}: it makes one synchronized {@code SecureRandom} call per id
 * (a SHA-1 and a read of {@code /dev/urandom} behind it), which was a sixth of the writer thread's
 * time with 100-event appends. Here the ids of 256 events come from one AES call over 256 counter
 * blocks, on the CPU's AES instructions. The ids stay unpredictable to anyone who sees earlier
 * ones (AES in counter mode is a standard cryptographic generator, and nothing here is derived
 * from the ids handed out), which matters because a client that could guess the next server-made
 * id could store an event under it first. Within one generator the 128-bit blocks never repeat
 * (AES permutes distinct counters), so the ids differ in at least their 122 random bits unless
 * two blocks collide there, as likely as for {@code randomUUID}.
 *
 * <p>Not thread-safe: one generator per writer thread.
 */
final class EventIdGenerator implements Supplier<UUID> {

    private static final int BLOCK_BYTES = 16;
    private static final int IDS_PER_REFILL = 256;
    private static final long VERSION_MASK = 0xF000L;
    private static final long VERSION_4 = 0x4000L;
    private static final long VARIANT_MASK = 0xC000_0000_0000_0000L;
    private static final long VARIANT_IETF = 0x8000_0000_0000_0000L;

    private final Cipher cipher;
    private final long counterHigh;
    private final ByteBuffer counters = ByteBuffer.allocate(BLOCK_BYTES * IDS_PER_REFILL);
    private final ByteBuffer keystream = ByteBuffer.allocate(BLOCK_BYTES * IDS_PER_REFILL);
    private long counterLow;
    private int next = IDS_PER_REFILL;

    EventIdGenerator() {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[16];
        random.nextBytes(key);
        this.counterHigh = random.nextLong();
        this.counterLow = random.nextLong();
        try {
            // ECB over counter blocks is counter mode; AES/ECB/NoPadding is a transformation
            // every Java platform must provide.
            this.cipher = Cipher.getInstance("AES/ECB/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available to generate event ids: " + e, e);
        }
    }

    /** The next id. */
    @Override
    public UUID get() {
        if (next == IDS_PER_REFILL) {
            refill();
        }
        int at = BLOCK_BYTES * next++;
        long most = (keystream.getLong(at) & ~VERSION_MASK) | VERSION_4;
        long least = (keystream.getLong(at + 8) & ~VARIANT_MASK) | VARIANT_IETF;
        return new UUID(most, least);
    }

    private void refill() {
        counters.clear();
        for (int i = 0; i < IDS_PER_REFILL; i++) {
            counters.putLong(counterHigh).putLong(counterLow++);
        }
        counters.flip();
        keystream.clear();
        try {
            cipher.doFinal(counters, keystream);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed to generate event ids: " + e, e);
        }
        next = 0;
    }
}
