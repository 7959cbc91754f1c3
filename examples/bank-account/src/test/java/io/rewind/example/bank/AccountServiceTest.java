package io.rewind.example.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.Direction;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.memory.MemoryEventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountServiceTest {

    private final EventStore store = MemoryEventStore.create();
    private final AccountService service = new AccountService(store);
    private final ExecutorService tellers = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        tellers.shutdownNow();
        store.close();
    }

    @Test
    void commandsAppendEventsAndTheBalanceIsTheirFold() {
        service.open("a1", "Ada");
        service.deposit("a1", 100_00);
        AccountService.Outcome withdrawal = service.withdraw("a1", 30_00);

        assertThat(withdrawal.balance()).isEqualTo(70_00);
        assertThat(withdrawal.version()).isEqualTo(2);
        assertThat(withdrawal.attempts()).isEqualTo(1);
        assertThat(service.balance("a1")).isEqualTo(70_00);
        assertThat(store.readStream("account-a1", 0, Direction.FORWARD, 10)).extracting(e -> e.type())
                .containsExactly("AccountOpened", "MoneyDeposited", "MoneyWithdrawn");
    }

    @Test
    void brokenRulesAreRefusedAndWriteNothing() {
        assertThatThrownBy(() -> service.deposit("a1", 1)).isInstanceOf(CommandRejectedException.class)
                .hasMessage("account a1 is not open");
        service.open("a1", "Ada");
        service.deposit("a1", 10_00);
        assertThatThrownBy(() -> service.open("a1", "Bob")).isInstanceOf(CommandRejectedException.class)
                .hasMessageContaining("already open");
        assertThatThrownBy(() -> service.withdraw("a1", 10_01)).isInstanceOf(CommandRejectedException.class)
                .hasMessage("insufficient funds in account a1: balance 10.00, withdrawal 10.01");
        assertThatThrownBy(() -> service.deposit("a1", 0)).isInstanceOf(CommandRejectedException.class);
        assertThat(store.streamInfo("account-a1").orElseThrow().headVersion()).isEqualTo(1);
    }

    @Test
    void aConcurrentWithdrawalMeetsAConflictReloadsAndRetries() throws Exception {
        service.open("a1", "Ada");
        service.deposit("a1", 100_00);

        List<AccountService.Outcome> outcomes = raceTwoWithdrawals(30_00, 50_00);

        assertThat(outcomes).extracting(AccountService.Outcome::attempts).containsExactlyInAnyOrder(1, 2);
        AccountService.Outcome retried = outcomes.stream().filter(o -> o.attempts() == 2).findFirst().orElseThrow();
        assertThat(retried.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.expected()).isEqualTo(ExpectedVersion.exactly(1));
            assertThat(conflict.actualVersion()).isEqualTo(2);
        });
        assertThat(retried.version()).isEqualTo(3);
        assertThat(retried.balance()).isEqualTo(20_00);
        assertThat(service.balance("a1")).isEqualTo(20_00);
    }

    @Test
    void aRetryDecidesAgainOnTheNewStateAndMayRefuse() throws Exception {
        service.open("a1", "Ada");
        service.deposit("a1", 100_00);

        List<Object> results = new ArrayList<>();
        for (Future<AccountService.Outcome> teller : startTwoWithdrawals(60_00, 60_00)) {
            try {
                results.add(teller.get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                results.add(e.getCause());
            }
        }

        assertThat(results).filteredOn(r -> r instanceof AccountService.Outcome).hasSize(1);
        assertThat(results).filteredOn(r -> r instanceof CommandRejectedException).singleElement()
                .satisfies(r -> assertThat(((Exception) r).getMessage()).contains("balance 40.00, withdrawal 60.00"));
        assertThat(service.balance("a1")).isEqualTo(40_00);
    }

    @Test
    void aCommandGivesUpAfterItsAttemptsWhenTheStreamKeepsMoving() {
        service.open("a1", "Ada");
        AtomicInteger attempts = new AtomicInteger();
        AccountService contended = new AccountService(store, 3, (account, attempt, version) -> {
            attempts.incrementAndGet();
            // Another writer gets in first, every time.
            new AccountService(store).deposit(account, 1);
        });

        assertThatThrownBy(() -> contended.deposit("a1", 5_00)).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(attempts).hasValue(3);
        assertThat(service.balance("a1")).isEqualTo(3);
    }

    private List<AccountService.Outcome> raceTwoWithdrawals(long first, long second) throws Exception {
        List<Future<AccountService.Outcome>> both = startTwoWithdrawals(first, second);
        return List.of(both.get(0).get(30, TimeUnit.SECONDS), both.get(1).get(30, TimeUnit.SECONDS));
    }

    /** Two withdrawals that both load the account and decide before either appends. */
    private List<Future<AccountService.Outcome>> startTwoWithdrawals(long first, long second) {
        CyclicBarrier bothDecided = new CyclicBarrier(2);
        AccountService racing = new AccountService(store, 5, (account, attempt, version) -> {
            if (attempt == 1) {
                try {
                    bothDecided.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        return List.of(tellers.submit(() -> racing.withdraw("a1", first)),
                tellers.submit(() -> racing.withdraw("a1", second)));
    }
}
