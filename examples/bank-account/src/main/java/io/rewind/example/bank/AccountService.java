package io.rewind.example.bank;

import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.RecordedEvent;
import io.rewind.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side. Each command loads the account by reading its whole stream, decides against
 * that state (the business rules live in {@link Account}), and appends the decision with the
 * version it loaded as the expected version. If another writer appended in between, the store
 * refuses the append with a {@link WrongExpectedVersionException}; the command then loads again and
 * decides again on the new state, which may now refuse it (a second withdrawal that would overdraw),
 * up to a number of attempts. No lock is held anywhere. Thread-safe.
 */
public final class AccountService {

    /**
     * Called after a command has loaded and decided and before it appends: a seam for the demo and
     * the tests to line up two commands so that they really conflict.
     */
    @FunctionalInterface
    public interface BeforeAppend {
        BeforeAppend NOTHING = (accountId, attempt, loadedVersion) -> { };

        /** @param attempt 1 for the first attempt of a command, 2 for its first retry, ... */
        void beforeAppend(String accountId, int attempt, long loadedVersion);
    }

    /**
     * What a command did.
     *
     * @param balance   the balance after it, in cents
     * @param version   the version of the event it appended
     * @param position  the global position of that event (a projection that reached it shows it)
     * @param attempts  1, or more when it was retried after a concurrency conflict
     * @param conflicts the conflicts it retried after, oldest first
     */
    public record Outcome(String accountId, long balance, long version, long position, int attempts,
            List<WrongExpectedVersionException> conflicts) {
        public Outcome {
            conflicts = List.copyOf(conflicts);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);
    private static final int READ_PAGE = 1000;

    private final EventStore store;
    private final int maxAttempts;
    private final BeforeAppend beforeAppend;

    /**
     * @param maxAttempts  how often a command tries before it gives up on conflicts (at least 1)
     * @param beforeAppend {@link BeforeAppend#NOTHING} outside demos and tests
     */
    public AccountService(EventStore store, int maxAttempts, BeforeAppend beforeAppend) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.store = Objects.requireNonNull(store, "store");
        this.maxAttempts = maxAttempts;
        this.beforeAppend = Objects.requireNonNull(beforeAppend, "beforeAppend");
    }

    public AccountService(EventStore store) {
        this(store, 5, BeforeAppend.NOTHING);
    }

    public Outcome open(String accountId, String owner) {
        return execute(accountId, account -> account.open(owner));
    }

    public Outcome deposit(String accountId, long cents) {
        return execute(accountId, account -> account.deposit(cents));
    }

    /** @throws CommandRejectedException if the balance does not cover it, now or after a reload */
    public Outcome withdraw(String accountId, long cents) {
        return execute(accountId, account -> account.withdraw(cents));
    }

    /** The account's current balance in cents, from its events. */
    public long balance(String accountId) {
        return load(accountId).balance();
    }

    private Outcome execute(String accountId, Function<Account, EventData> decide) {
        String stream = AccountEvents.stream(accountId);
        List<WrongExpectedVersionException> conflicts = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            Account account = load(accountId);
            EventData decision = decide.apply(account);
            beforeAppend.beforeAppend(accountId, attempt, account.version());
            try {
                AppendResult result = store.append(stream, account.expectedVersion(), decision);
                AppendResult.Written written = result.events().get(0);
                account.apply(decision, written.version());
                return new Outcome(accountId, account.balance(), written.version(), written.position(), attempt,
                        conflicts);
            } catch (WrongExpectedVersionException conflict) {
                conflicts.add(conflict);
                if (attempt >= maxAttempts) {
                    throw conflict;
                }
                LOG.debug("{}; reloading {} and deciding again (attempt {})", conflict.getMessage(), accountId,
                        attempt + 1);
            }
        }
    }

    /** Replays the account's stream, page by page. */
    Account load(String accountId) {
        Account account = new Account(accountId);
        String stream = AccountEvents.stream(accountId);
        long next = 0;
        while (true) {
            List<RecordedEvent> page = store.readStream(stream, next, Direction.FORWARD, READ_PAGE);
            page.forEach(account::apply);
            if (page.size() < READ_PAGE) {
                return account;
            }
            next = page.get(page.size() - 1).version() + 1;
        }
    }
}
