/**
 * The {@link io.rewind.api.EventStore} contract suite and helpers for testing stores.
 *
 * <h2>Running the contract</h2>
 * A store's test extends {@link io.rewind.testkit.EventStoreContract} and supplies a fresh, empty
 * store per test (and, if it must, a clean-up hook):
 * <pre>{@code
 * class SomeStoreContractTest extends EventStoreContract {
 *     @TempDir Path directory;  // JUnit gives each test a new one
 *
 *     @Override
 *     protected EventStore createStore() throws Exception {
 *         return openNewStoreIn(directory);  // whatever opens a new, empty store
 *     }
 * }
 * }</pre>
 * The contract is split by concern into interfaces of {@code @Test} default methods
 * ({@link io.rewind.testkit.AppendContract}, {@link io.rewind.testkit.ExpectedVersionContract},
 * {@link io.rewind.testkit.InvalidRequestContract}, {@link io.rewind.testkit.EventDataContract},
 * {@link io.rewind.testkit.ReadContract}, {@link io.rewind.testkit.IdempotencyContract},
 * {@link io.rewind.testkit.ConcurrencyContract}, {@link io.rewind.testkit.StreamListingContract},
 * {@link io.rewind.testkit.SubscriptionContract}, {@link io.rewind.testkit.SubscriptionFilterContract},
 * {@link io.rewind.testkit.SubscriptionFlowContract},
 * {@link io.rewind.testkit.ClosedStoreContract}); {@code EventStoreContract} implements them all.
 *
 * <h2>What the contract pins down beyond the API's Javadoc</h2>
 * <ul>
 *   <li>Positions are dense: 0, 1, 2, ... with no gap, even after refused appends.</li>
 *   <li>The default largest event is 16 MiB of data + metadata: exactly 16 MiB is accepted, one
 *       byte more is an {@code EventTooLargeException}.</li>
 *   <li>A negative read start, a limit outside 1..{@code MAX_READ_LIMIT} (for listings too), an
 *       empty or malformed stream name (a lone surrogate included) are {@code InvalidRequestException}s.</li>
 *   <li>A backward read from beyond the newest event starts at the newest; a forward one is empty.</li>
 *   <li>A listing page that ends exactly at the last matching stream has an empty {@code nextAfter}.</li>
 *   <li>{@code fromEnd()} fixes its start point when {@code subscribe} returns: an event appended
 *       after that is delivered, and {@code lastPosition()} is the head until then.</li>
 *   <li>The exception a listener throws reaches {@code onClose} as the same instance.</li>
 *   <li>A listener may read from and append to the store from inside {@code onEvent}.</li>
 *   <li>After {@code EventStore.close()} no further event reaches any listener, and each ends with
 *       {@code onClose(StoreClosedException)}.</li>
 *   <li>Exceptions are of the exact documented class (a remote client raises the same class).</li>
 * </ul>
 *
 * <h2>Helpers</h2>
 * {@link io.rewind.testkit.Await} waits on conditions with deadlines, {@link io.rewind.testkit.TestEvents}
 * makes events, {@link io.rewind.testkit.RecordingListener} records a subscription and checks its
 * chain, {@link io.rewind.testkit.ConcurrentTasks} runs threads together, and
 * {@link io.rewind.testkit.StoreAssertions} holds the shared assertions.
 */
package io.rewind.testkit;
