package io.rewind.example.bank;

import static io.rewind.example.bank.AccountEvents.money;

import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.client.RewindClient;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bank example from end to end, against a running Rewind server: opens an account, has two
 * tellers withdraw at the same moment (one of them meets a concurrency conflict, reloads and
 * retries), refuses an overdraft, and builds the balances on the read side, which is stopped,
 * misses a deposit, restarts from its saved position and catches up without counting anything
 * twice. Prints what happens; exits 1 if the read side disagrees with the write side.
 *
 * <pre>
 * usage: BankDemo [--server ENDPOINT] [--projection-file FILE]
 * </pre>
 */
public final class BankDemo {

    static final String DEFAULT_SERVER = "tcp://127.0.0.1:9002";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * What the demo showed.
     *
     * @param withdrawals          the two concurrent withdrawals, in the order they completed
     * @param refusal              why the overdraft was refused
     * @param balance              the account's final balance on the write side, in cents
     * @param projectedBalance     the balance the restarted projection shows, in cents
     * @param resumedAfter         the position the restarted projection resumed after
     * @param appliedAfterRestart  the events the restarted projection applied
     */
    record Report(String accountId, List<AccountService.Outcome> withdrawals, String refusal, long balance,
            long projectedBalance, long resumedAfter, long appliedAfterRestart) {
    }

    private final EventStore store;
    private final PrintStream out;

    BankDemo(EventStore store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        String server = DEFAULT_SERVER;
        Path projectionFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = value(args, ++i);
                case "--projection-file" -> projectionFile = Path.of(value(args, ++i));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        Path temporary = projectionFile == null ? Files.createTempDirectory("rewind-bank-") : null;
        Path file = projectionFile != null ? projectionFile : temporary.resolve("balances.properties");
        int status;
        try (EventStore store = RewindClient.connect(server)) {
            System.out.println("Rewind bank example, against " + server);
            Report report = new BankDemo(store, System.out).run(file);
            status = report.projectedBalance() == report.balance() ? 0 : 1;
        } catch (EventStoreException | CommandRejectedException | IllegalStateException | UncheckedIOException e) {
            System.err.println("bank demo: " + e.getMessage());
            status = 1;
        } finally {
            if (temporary != null) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(temporary);
            }
        }
        System.exit(status);
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            usage(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static void usage(String problem) {
        System.err.println("bank demo: " + problem + "\nusage: BankDemo [--server ENDPOINT] [--projection-file FILE]");
        System.exit(2);
    }

    /** Runs the story against the store, with the read side's state in {@code projectionFile}. */
    Report run(Path projectionFile) throws InterruptedException {
        String accountId = UUID.randomUUID().toString().substring(0, 8);
        AccountService service = new AccountService(store);

        AccountService.Outcome opened = service.open(accountId, "Ada");
        say("write", "opened account %s for Ada (stream %s)", accountId, AccountEvents.stream(accountId));
        AccountService.Outcome deposit = service.deposit(accountId, 100_00);
        say("write", "deposited 100.00, balance %s (version %d)", money(deposit.balance()), deposit.version());

        AccountService.Outcome lastWrite;
        String refusal;
        List<AccountService.Outcome> withdrawals;
        try (BalanceProjection projection = BalanceProjection.start(store, projectionFile)) {
            awaitProjection(projection, deposit.position());
            say("read", "projection built from %s; balance %s", from(projection), projected(projection, accountId));

            withdrawals = concurrentWithdrawals(accountId, 30_00, 50_00, deposit.version());
            refusal = refuseOverdraft(service, accountId, 40_00);
            lastWrite = withdrawals.get(1);
            awaitProjection(projection, lastWrite.position());
            say("read", "projection at position %d; balance %s", projection.position(), projected(projection, accountId));
        }
        say("read", "projection stopped; its state is saved in %s", projectionFile);

        AccountService.Outcome missed = service.deposit(accountId, 5_00);
        say("write", "deposited 5.00 while the projection was down, balance %s (version %d)", money(missed.balance()),
                missed.version());

        try (BalanceProjection restarted = BalanceProjection.start(store, projectionFile)) {
            awaitProjection(restarted, missed.position());
            long projectedBalance = restarted.balance(accountId).orElseThrow();
            say("read", "projection restarted after position %d: applied %d event(s), balance %s",
                    restarted.resumedAfter(), restarted.applied(), money(projectedBalance));
            long balance = service.balance(accountId);
            if (projectedBalance == balance) {
                say("ok", "the read side agrees with the write side: %s, every event counted once", money(balance));
            } else {
                say("FAILED", "the read side shows %s, the write side %s", money(projectedBalance), money(balance));
            }
            return new Report(opened.accountId(), withdrawals, refusal, balance, projectedBalance,
                    restarted.resumedAfter(), restarted.applied());
        }
    }

    /**
     * Two tellers withdraw from the same account at the same moment: both load it at
     * {@code loadedVersion} and decide before either appends (a barrier holds them), so exactly one
     * append meets a conflict; that teller reloads, decides again on the new balance and retries.
     */
    private List<AccountService.Outcome> concurrentWithdrawals(String accountId, long first, long second,
            long loadedVersion) throws InterruptedException {
        say("write", "two tellers withdraw %s and %s at the same moment, both having loaded version %d",
                money(first), money(second), loadedVersion);
        CyclicBarrier bothDecided = new CyclicBarrier(2);
        AccountService racing = new AccountService(store, 5, (account, attempt, version) -> {
            if (attempt == 1) {
                awaitQuietly(bothDecided);
            }
        });
        ExecutorService tellers = Executors.newFixedThreadPool(2);
        AccountService.Outcome one;
        AccountService.Outcome two;
        try {
            Future<AccountService.Outcome> teller1 = tellers.submit(() -> racing.withdraw(accountId, first));
            Future<AccountService.Outcome> teller2 = tellers.submit(() -> racing.withdraw(accountId, second));
            one = join(teller1);
            two = join(teller2);
        } finally {
            tellers.shutdownNow();
        }
        List<AccountService.Outcome> inOrder = one.version() < two.version() ? List.of(one, two) : List.of(two, one);
        for (AccountService.Outcome outcome : inOrder) {
            report(outcome == one ? "teller 1" : "teller 2", outcome == one ? first : second, outcome);
        }
        return inOrder;
    }

    private void report(String teller, long amount, AccountService.Outcome outcome) {
        if (outcome.conflicts().isEmpty()) {
            say("write", "  %s withdrew %s at the first attempt, balance %s (version %d)", teller, money(amount),
                    money(outcome.balance()), outcome.version());
            return;
        }
        WrongExpectedVersionException conflict = outcome.conflicts().get(0);
        say("write", "  %s met a conflict (expected version %s, the stream was at %d), reloaded and retried: "
                + "withdrew %s after %d attempts, balance %s (version %d)", teller, conflict.expected(),
                conflict.actualVersion(), money(amount), outcome.attempts(), money(outcome.balance()), outcome.version());
    }

    private String refuseOverdraft(AccountService service, String accountId, long amount) {
        try {
            service.withdraw(accountId, amount);
        } catch (CommandRejectedException refused) {
            say("write", "withdrawing %s is refused: %s", money(amount), refused.getMessage());
            return refused.getMessage();
        }
        throw new IllegalStateException("an overdraft of " + money(amount) + " was accepted");
    }

    private static void awaitProjection(BalanceProjection projection, long position) throws InterruptedException {
        if (!projection.awaitPosition(position, WAIT)) {
            throw new IllegalStateException("the projection did not reach position " + position + " within " + WAIT
                    + " (it is at " + projection.position() + ")");
        }
    }

    private static String from(BalanceProjection projection) {
        return projection.resumedAfter() < 0 ? "the beginning" : "after position " + projection.resumedAfter();
    }

    private static String projected(BalanceProjection projection, String accountId) {
        return projection.balance(accountId).map(AccountEvents::money).orElse("(none)");
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while lining up the tellers", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("the other teller never got ready", e);
        }
    }

    private static AccountService.Outcome join(Future<AccountService.Outcome> teller)
            throws InterruptedException {
        try {
            return teller.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("a teller did not finish within " + WAIT, e);
        }
    }

    private void say(String side, String format, Object... args) {
        out.printf("%-6s %s%n", side + ":", String.format(format, args));
    }
}
