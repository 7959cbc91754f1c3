package io.rewind.example.bank;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;

/**
 * The account aggregate: its state is nothing but the fold of its events, and its decisions
 * (open, deposit, withdraw) check the business rules against that state and return the event to
 * append, without appending it. Not thread-safe: each command loads its own instance.
 */
final class Account {

    private final String id;
    private String owner;
    private long balance;
    /** The version of the last event applied; -1 before the first, as for an empty stream. */
    private long version = ExpectedVersion.NO_STREAM_VERSION;

    Account(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    boolean isOpen() {
        return owner != null;
    }

    long balance() {
        return balance;
    }

    long version() {
        return version;
    }

    /** The condition under which this state is still current when the decision is appended. */
    ExpectedVersion expectedVersion() {
        return version == ExpectedVersion.NO_STREAM_VERSION ? ExpectedVersion.noStream()
                : ExpectedVersion.exactly(version);
    }

    /** Replays one stored event. */
    void apply(RecordedEvent event) {
        apply(event.type(), event.data(), event.version());
    }

    /** Applies an event this account decided and the store accepted at {@code storedVersion}. */
    void apply(EventData event, long storedVersion) {
        apply(event.type(), event.data(), storedVersion);
    }

    private void apply(String type, byte[] data, long eventVersion) {
        if (type.equals(AccountEvents.OPENED)) {
            owner = new String(data, StandardCharsets.UTF_8);
        }
        balance += AccountEvents.balanceChange(type, data);
        version = eventVersion;
    }

    EventData open(String newOwner) {
        if (isOpen()) {
            throw new CommandRejectedException("account " + id + " is already open (owner " + owner + ")");
        }
        if (newOwner.isBlank()) {
            throw new CommandRejectedException("an account needs an owner");
        }
        return AccountEvents.opened(newOwner);
    }

    EventData deposit(long cents) {
        requireOpen();
        requirePositive(cents);
        return AccountEvents.deposited(cents);
    }

    /** A withdrawal may not take the balance below zero: no overdraft. */
    EventData withdraw(long cents) {
        requireOpen();
        requirePositive(cents);
        if (cents > balance) {
            throw new CommandRejectedException("insufficient funds in account " + id + ": balance "
                    + AccountEvents.money(balance) + ", withdrawal " + AccountEvents.money(cents));
        }
        return AccountEvents.withdrawn(cents);
    }

    private void requireOpen() {
        if (!isOpen()) {
            throw new CommandRejectedException("account " + id + " is not open");
        }
    }

    private static void requirePositive(long cents) {
        if (cents <= 0) {
            throw new CommandRejectedException("an amount must be positive, was " + AccountEvents.money(cents));
        }
    }
}
