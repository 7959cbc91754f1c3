package io.rewind.security;

import java.util.Arrays;

/**
 * ZeroMQ's Z85 text encoding of binary keys (ZeroMQ RFC 32): every 4 bytes, read as one big-endian
 * number, become 5 characters of an 85-character alphabet, most significant first. A CURVE key of 32
 * bytes is 40 characters. Stateless and thread-safe.
 */
public final class Z85 {

    private static final char[] ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private Z85() {
    }

    /** The text of {@code bytes}, whose length must be a multiple of 4. */
    public static String encode(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("Z85 encodes a multiple of 4 bytes, not " + bytes.length);
        }
        StringBuilder text = new StringBuilder(bytes.length / 4 * 5);
        char[] group = new char[5];
        for (int i = 0; i < bytes.length; i += 4) {
            long value = ((bytes[i] & 0xFFL) << 24) | ((bytes[i + 1] & 0xFFL) << 16) | ((bytes[i + 2] & 0xFFL) << 8)
                    | (bytes[i + 3] & 0xFFL);
            for (int j = 4; j >= 0; j--) {
                group[j] = ALPHABET[(int) (value % 85)];
                value /= 85;
            }
            text.append(group);
        }
        return text.toString();
    }

    /**
     * The bytes of {@code text}, whose length must be a multiple of 5.
     *
     * @throws IllegalArgumentException naming the fault (length, a character outside the alphabet, a group over 32 bits)
     */
    public static byte[] decode(String text) {
        if (text.length() % 5 != 0) {
            throw new IllegalArgumentException("Z85 text is a multiple of 5 characters, not " + text.length());
        }
        byte[] bytes = new byte[text.length() / 5 * 4];
        for (int i = 0, out = 0; i < text.length(); i += 5, out += 4) {
            long value = 0;
            for (int j = 0; j < 5; j++) {
                char c = text.charAt(i + j);
                int digit = c < 128 ? VALUES[c] : -1;
                if (digit < 0) {
                    throw new IllegalArgumentException("'" + c + "' at " + (i + j) + " is not a Z85 character");
                }
                value = value * 85 + digit;
            }
            if (value > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("the Z85 group at " + i + " is larger than 32 bits");
            }
            bytes[out] = (byte) (value >>> 24);
            bytes[out + 1] = (byte) (value >>> 16);
            bytes[out + 2] = (byte) (value >>> 8);
            bytes[out + 3] = (byte) value;
        }
        return bytes;
    }
}
