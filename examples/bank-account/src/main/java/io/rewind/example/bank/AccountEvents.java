package io.rewind.example.bank;

import io.rewind.api.EventData;
import java.nio.charset.StandardCharsets;

/**
 * The events of an account and how they are stored: one stream per account, named
 * {@code account-<id>}; the type says what happened, the data is plain UTF-8 text (the owner's name,
 * or an amount in cents), so {@code rewind read} shows them as they are. Stateless and thread-safe.
 */
public final class AccountEvents {

    /** Every account stream starts with it; the read side subscribes to this prefix. */
    public static final String STREAM_PREFIX = "account-";
    /** Data: the owner's name. */
    public static final String OPENED = "AccountOpened";
    /** Data: the amount in cents. */
    public static final String DEPOSITED = "MoneyDeposited";
    /** Data: the amount in cents. */
    public static final String WITHDRAWN = "MoneyWithdrawn";

    private AccountEvents() {
    }

    public static String stream(String accountId) {
        return STREAM_PREFIX + accountId;
    }

    /** The account id of an account stream. */
    public static String accountId(String stream) {
        if (!stream.startsWith(STREAM_PREFIX)) {
            throw new IllegalArgumentException("not an account stream: '" + stream + "'");
        }
        return stream.substring(STREAM_PREFIX.length());
    }

    static EventData opened(String owner) {
        return EventData.of(OPENED, owner.getBytes(StandardCharsets.UTF_8));
    }

    static EventData deposited(long cents) {
        return EventData.of(DEPOSITED, Long.toString(cents).getBytes(StandardCharsets.UTF_8));
    }

    static EventData withdrawn(long cents) {
        return EventData.of(WITHDRAWN, Long.toString(cents).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How an event changes a balance, in cents: + for a deposit, - for a withdrawal, 0 for the rest.
     *
     * @throws IllegalArgumentException if the amount is not a number
     */
    public static long balanceChange(String type, byte[] data) {
        return switch (type) {
            case DEPOSITED -> amount(data);
            case WITHDRAWN -> -amount(data);
            default -> 0;
        };
    }

    private static long amount(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an amount must be a number of cents, was '" + text + "'", e);
        }
    }

    /** Cents as money text: 2500 is "25.00", -5 is "-0.05". */
    public static String money(long cents) {
        return (cents < 0 ? "-" : "") + Math.abs(cents / 100) + "." + String.format("%02d", Math.abs(cents % 100));
    }
}
