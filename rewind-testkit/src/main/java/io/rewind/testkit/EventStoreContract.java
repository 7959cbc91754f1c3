package io.rewind.testkit;

import io.rewind.api.EventStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * The whole {@link EventStore} contract. Every implementation extends this class unchanged and
 * supplies only {@link #createStore()} (and, when it must, {@link #cleanUp()}):
 *
 * <pre>{@code
 * class MemoryEventStoreContractTest extends EventStoreContract {
 *     @Override
 *     protected EventStore createStore() {
 *         return MemoryEventStore.create();
 *     }
 * }
 * }</pre>
 *
 * Each test gets a fresh, empty store and closes it afterwards. The timeout only stops a hung
 * store from hanging the build; every wait inside a test has its own, shorter deadline.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class EventStoreContract implements AppendContract, ExpectedVersionContract,
        InvalidRequestContract, ArgumentContract, EventDataContract, ReadContract, AsyncReadContract,
        ByteBudgetContract, ReadArgumentsContract, IdempotencyContract, ConcurrencyContract, StreamListingContract,
        SubscriptionContract, SubscriptionFilterContract, SubscriptionFlowContract, ClosedStoreContract,
        HeadListenerContract, AppendCallbackContract {

    private EventStore store;

    /** A new, empty store for one test; it is closed after the test. */
    protected abstract EventStore createStore() throws Exception;

    /** Runs after the store of a test was closed: delete its files, drop its schema, stop its server. */
    protected void cleanUp() throws Exception {
    }

    @Override
    public final EventStore store() {
        if (store == null) {
            throw new IllegalStateException("no store: the test is not running");
        }
        return store;
    }

    @BeforeEach
    protected final void openStore() throws Exception {
        store = createStore();
        if (store == null) {
            throw new IllegalStateException(getClass().getName() + ".createStore() returned null");
        }
    }

    @AfterEach
    protected final void closeStore() throws Exception {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            store = null;
            cleanUp();
        }
    }
}
