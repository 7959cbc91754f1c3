package io.rewind.security;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.KeyAgreement;

/**
 * A CURVE key pair (Curve25519, as ZeroMQ's CURVE mechanism uses), or a public key alone: 32 raw
 * bytes each, in the little-endian encoding of RFC 7748 that ZeroMQ and NaCl use. Generated and
 * checked with the JDK's X25519. The secret key never appears in {@link #toString()}. Immutable
 * and thread-safe (the arrays are copied in and out).
 */
public final class CurveKeys {

    /** The size of a CURVE key in bytes. */
    public static final int KEY_BYTES = 32;

    private final byte[] publicKey;
    private final byte[] secretKey;

    private CurveKeys(byte[] publicKey, byte[] secretKey) {
        this.publicKey = publicKey;
        this.secretKey = secretKey;
    }

    /** A new random key pair. */
    public static CurveKeys generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] secret = ((XECPrivateKey) pair.getPrivate()).getScalar()
                    .orElseThrow(() -> new IllegalStateException("the JDK's X25519 key has no scalar"));
            return new CurveKeys(littleEndian(((XECPublicKey) pair.getPublic()).getU()), secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate X25519 keys", e);
        }
    }

    /** A public key alone (a client's, or the server's as a client knows it). */
    public static CurveKeys ofPublic(byte[] publicKey) {
        return new CurveKeys(checked(publicKey, "public key"), null);
    }

    /**
     * A key pair read from a file; the public key must be the one the secret key makes.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static CurveKeys ofPair(byte[] publicKey, byte[] secretKey) {
        CurveKeys keys = new CurveKeys(checked(publicKey, "public key"), checked(secretKey, "secret key"));
        if (!Arrays.equals(derivePublic(keys.secretKey), keys.publicKey)) {
            throw new IllegalArgumentException("the public key is not the one of the secret key");
        }
        return keys;
    }

    private static byte[] checked(byte[] key, String what) {
        Objects.requireNonNull(key, what);
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a CURVE " + what + " is " + KEY_BYTES + " bytes, not " + key.length);
        }
        return key.clone();
    }

    /** X25519(secret, 9): the public key of a secret key. */
    private static byte[] derivePublic(byte[] secret) {
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            PublicKey base = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, secret)));
            agreement.doPhase(base, true);
            return agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable X25519 secret key: " + e.getMessage(), e);
        }
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] bigEndian = u.toByteArray();
        byte[] key = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < bigEndian.length; i++) {
            key[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return key;
    }

    /** The public key's 32 bytes. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key in Z85 (40 characters), as certificates and ZAP user ids carry it. */
    public String publicKeyZ85() {
        return Z85.encode(publicKey);
    }

    /** The secret key's 32 bytes, when this is a pair. */
    public Optional<byte[]> secretKey() {
        return Optional.ofNullable(secretKey).map(byte[]::clone);
    }

    /** Whether the secret key is here too. */
    public boolean hasSecret() {
        return secretKey != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CurveKeys other && Arrays.equals(publicKey, other.publicKey)
                && Arrays.equals(secretKey, other.secretKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** The public key only; a secret key is never printed. */
    @Override
    public String toString() {
        return "CURVE key " + publicKeyZ85() + (secretKey == null ? "" : " (with its secret key)");
    }
}
