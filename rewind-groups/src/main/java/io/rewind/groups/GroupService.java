package io.rewind.groups;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.HeadListener;
import io.rewind.api.StoreUnavailableException;
import io.rewind.api.WrongExpectedVersionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the consumer groups of one {@link EventStore}, keeping their state in the store's own system
 * streams ({@link GroupRecords}): {@link #open} reads every group back, so groups survive a restart
 * with their checkpoint and parked list. Each group reads ahead of its consumers from the store's
 * global order (at most {@link GroupServiceOptions#maxBuffered()} events, woken by the store's head
 * watch), feeds a {@link GroupDispatcher}, and hands its deliveries to the consumers'
 * {@link DeliverySink}s.
 *
 * <h2>Durability</h2>
 * The checkpoint and the parked-list changes are written together, in one atomic append, at most
 * every {@link GroupServiceOptions#flushInterval()} and on {@link #close}: so a parked event is in
 * the stored parked list no later than the stored checkpoint passes it, and a crash between two
 * writes only makes the group resume from an older checkpoint and deliver again (at-least-once).
 * A failed write is logged and retried at the next flush; nothing is dropped.
 *
 * <h2>Updates and metrics</h2>
 * {@link #update} gives a live group new settings, durably and at once ({@link GroupDispatcher#update}
 * says what happens to work in flight). {@link #metrics()} gives each group's lag, in-flight,
 * redeliveries, parked and consumer counts from a snapshot the service's thread publishes after
 * every change and step, so a metrics scrape never waits for that thread.
 *
 * <p>Thread-safe. One thread of its own runs every group; the public methods hand it their work
 * and wait (or, called from a sink on that thread, run at once).
 */
public final class GroupService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupService.class);
    /** How long a group waits before it tries a failed step (a read or write the store refused) again. */
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(500);

    private final EventStore store;
    private final GroupServiceOptions options;
    private final ScheduledExecutorService executor;
    private final Thread thread;
    private final GroupLoader loader;
    private final Map<String, RunningGroup> groups = new TreeMap<>();
    /** Each group's numbers as its last step left them: written by the service's thread, read by {@link #metrics()}. */
    private final Map<String, RunningGroup.Published> published = new ConcurrentHashMap<>();
    private final AtomicBoolean fillQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private HeadListener.Registration headWatch;

    private GroupService(EventStore store, GroupServiceOptions options) {
        this.store = store;
        this.options = options;
        this.loader = new GroupLoader(store);
        Thread[] created = new Thread[1];
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, task -> {
            created[0] = new Thread(task, "rewind-groups");
            created[0].setDaemon(true);
            return created[0];
        });
        pool.setRemoveOnCancelPolicy(true); // wake-ups are re-armed often: drop cancelled ones at once
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = pool;
        try {
            executor.submit(() -> { }).get();
        } catch (InterruptedException | ExecutionException e) {
            executor.shutdownNow();
            throw new IllegalStateException("the group service thread did not start", e);
        }
        this.thread = created[0];
    }

    /**
     * Loads every group {@code store} holds and starts serving them; with
     * {@link GroupServiceOptions#fenceOnOpen()}, first writes each group's checkpoint at the
     * versions it read (loading again if another writer moved them meanwhile).
     *
     * @throws StoreUnavailableException if the fence kept meeting other writes
     */
    public static GroupService open(EventStore store, GroupServiceOptions options) {
        GroupService service = new GroupService(store, options);
        try {
            service.call(() -> {
                for (RunningGroup group : service.loadFenced()) {
                    service.groups.put(group.name(), group);
                    service.changed(group);
                }
                return null;
            });
            service.headWatch = store.watchHead(new HeadListener() {
                @Override
                public void headMoved(long head) {
                    service.fillAllSoon();
                }

                @Override
                public void stopped(EventStoreException cause) {
                    if (!service.closed.get()) {
                        LOG.warn("Groups no longer hear of new events: the store's head watch stopped", cause);
                    }
                }
            });
        } catch (RuntimeException e) {
            service.executor.shutdownNow();
            throw e;
        }
        return service;
    }

    // ---------------------------------------------------------------- groups

    /**
     * Creates a group; it starts where {@code start} says (a start "now" is fixed to the current head).
     *
     * @throws DuplicateGroupException if a group of that name exists
     */
    public GroupDefinition create(String name, GroupSettings settings, GroupFilter filter, GroupStart start) {
        GroupDefinition.checkName(name);
        return call(() -> {
            if (groups.containsKey(name)) {
                throw new DuplicateGroupException("group '" + name + "' already exists; delete it first, or pick"
                        + " another name");
            }
            long startAfter = start.now() ? store.headPosition() : start.afterPosition();
            GroupDefinition definition = new GroupDefinition(name, settings, filter, startAfter);
            long last = loader.lastDefinitionVersion(name);
            String stream = GroupRecords.definitionStream(name);
            AppendResult result = store.append(stream, GroupLoader.expectedAt(last),
                    GroupRecords.created(definition));
            long version = result.lastVersion(stream);
            RunningGroup group = new RunningGroup(definition, version, version,
                    GroupDispatcher.create(name, settings, startAfter), loader.stateVersions(name));
            groups.put(name, group);
            changed(group);
            LOG.info("Created group '{}' after position {} ({}, {})", name, startAfter, filter, settings);
            return definition;
        });
    }

    /** Deletes a group: its consumers are told ({@link DeliverySink#closed}), its state is dropped. */
    public void delete(String name) {
        call(() -> {
            RunningGroup group = group(name);
            store.append(GroupRecords.definitionStream(name), ExpectedVersion.exactly(group.definitionVersion),
                    GroupRecords.deleted(name));
            groups.remove(name);
            published.remove(name);
            group.deleted = true;
            cancelWakeUp(group);
            group.sinks.values().forEach(sink -> tellClosed(sink, "group '" + name + "' was deleted"));
            LOG.info("Deleted group '{}'", name);
            return null;
        });
    }

    /**
     * Gives a group new settings, durably (a {@code GroupUpdated} event in its definition stream,
     * read back on start-up) and at once for its running dispatcher. Work in flight is not taken
     * back: see {@link GroupDispatcher#update} for what each setting does to it. The filter and the
     * start cannot change, nor the strategy (refused with {@link io.rewind.api.InvalidRequestException}
     * saying why); settings equal to the current ones write nothing.
     *
     * @return the group's definition with the new settings
     * @throws UnknownGroupException if there is no such group
     */
    public GroupDefinition update(String name, GroupSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return update(name, current -> settings);
    }

    /**
     * As {@link #update(String, GroupSettings)}, with the new settings made from the current ones
     * by {@code change} on the service's thread: a change of some settings that keeps the others,
     * with no other update in between. What {@code change} throws (a bad value) is thrown, and
     * nothing changes.
     */
    public GroupDefinition update(String name, UnaryOperator<GroupSettings> change) {
        Objects.requireNonNull(change, "change");
        return call(() -> {
            RunningGroup g = group(name);
            GroupDefinition current = g.definition;
            GroupSettings settings = Objects.requireNonNull(change.apply(current.settings()), "settings");
            if (settings.equals(current.settings())) {
                return current;
            }
            g.dispatcher.checkUpdate(settings);
            GroupDefinition updated = new GroupDefinition(name, settings, current.filter(), current.startAfter());
            String stream = GroupRecords.definitionStream(name);
            AppendResult result = store.append(stream, ExpectedVersion.exactly(g.definitionVersion),
                    GroupRecords.updated(g.generation, updated));
            g.definitionVersion = result.lastVersion(stream);
            g.definition = updated;
            g.dispatcher.update(settings);
            changed(g);
            LOG.info("Updated group '{}': {} (was {})", name, settings, current.settings());
            return updated;
        });
    }

    /**
     * Every group's monitoring numbers, by name. Reads what the service's thread published after
     * each group's latest step (without waiting for that thread) and the store's head now, so it
     * may be called from any thread, often (a metrics scrape).
     */
    public List<GroupMetrics> metrics() {
        long head;
        try {
            head = store.headPosition();
        } catch (EventStoreException e) {
            head = -1; // the store cannot answer: count no unread positions
        }
        Instant now = options.clock().instant();
        List<GroupMetrics> out = new ArrayList<>();
        for (RunningGroup.Published p : new TreeMap<>(published).values()) {
            Duration age = p.oldestUnsettled() == null ? Duration.ZERO : Duration.between(p.oldestUnsettled(), now);
            double lagSeconds = age.isNegative() ? 0 : age.getSeconds() + age.getNano() / 1e9;
            out.add(new GroupMetrics(p.name(), p.consumers(), p.inFlight(),
                    p.unsettled() + Math.max(0, head - p.lastRead()), lagSeconds, p.redeliveries(), p.parked()));
        }
        return out;
    }

    /** Every group's name, sorted. */
    public List<String> list() {
        return call(() -> List.copyOf(groups.keySet()));
    }

    public GroupInfo describe(String name) {
        return call(() -> {
            return group(name).info(store.headPosition());
        });
    }

    // ---------------------------------------------------------------- consumers

    /** Adds a consumer; its deliveries go to {@code sink}. */
    public void join(String group, String consumer, DeliverySink sink) {
        call(() -> {
            RunningGroup g = group(group);
            g.dispatcher.join(consumer);
            g.sinks.put(consumer, sink);
            changed(g);
            return null;
        });
    }

    /** Removes a consumer; what it held goes to the others. */
    public void leave(String group, String consumer) {
        call(() -> {
            RunningGroup g = group(group);
            g.dispatcher.leave(consumer);
            g.sinks.remove(consumer);
            changed(g);
            return null;
        });
    }

    public void ack(String group, String consumer, long deliveryId) {
        call(() -> {
            RunningGroup g = group(group);
            g.dispatcher.ack(consumer, deliveryId);
            changed(g);
            return null;
        });
    }

    public void nack(String group, String consumer, long deliveryId, NackAction action, String reason) {
        call(() -> {
            RunningGroup g = group(group);
            g.dispatcher.nack(consumer, deliveryId, action, reason, options.clock().instant());
            changed(g);
            return null;
        });
    }

    // ---------------------------------------------------------------- parked list

    public List<ParkedEvent> parked(String group) {
        return call(() -> group(group).dispatcher.parked());
    }

    public ParkedEvent replayParked(String group, long position) {
        return call(() -> {
            RunningGroup g = group(group);
            ParkedEvent event = g.dispatcher.replayParked(position);
            changed(g);
            return event;
        });
    }

    public int replayAllParked(String group) {
        return call(() -> {
            RunningGroup g = group(group);
            int count = g.dispatcher.replayAllParked();
            changed(g);
            return count;
        });
    }

    /** Writes every group's checkpoint and parked changes now, and waits for the store. */
    public void flush() {
        call(() -> {
            groups.values().forEach(g -> g.writeState(store, options.clock().instant(), options.flushInterval(), true));
            return null;
        });
    }

    /** Writes every group's state, tells every consumer, and stops. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (headWatch != null) {
            headWatch.close();
        }
        Runnable last = () -> {
            for (RunningGroup g : groups.values()) {
                g.writeState(store, options.clock().instant(), options.flushInterval(), true);
                g.sinks.values().forEach(sink -> tellClosed(sink, "the group service closed"));
            }
            published.clear();
        };
        if (Thread.currentThread() == thread) { // closed from a sink: waiting for our own thread would hang
            last.run();
            executor.shutdown();
            return;
        }
        try {
            executor.submit(last).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Groups did not write their state on close", e);
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Tells every consumer {@code reason} and stops, without writing any state: for a service that
     * lost the right to write it (a cluster node that stopped leading, docs/GROUPS.md "On a
     * cluster"), whose successor resumes from the state written before it took over. What was
     * settled since the last write is delivered again there. Idempotent; a no-op after {@link #close}.
     */
    public void closeWithoutWriting(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (headWatch != null) {
            headWatch.close();
        }
        Runnable last = () -> groups.values().forEach(g -> {
            cancelWakeUp(g);
            g.sinks.values().forEach(sink -> tellClosed(sink, reason));
        });
        if (Thread.currentThread() == thread) {
            last.run();
            executor.shutdown();
            return;
        }
        try {
            executor.submit(last).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Groups did not tell their consumers that the service closed", e);
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Stops at once without writing anything, as a killed process would: what was settled since
     * the last write is delivered again after the next {@link #open}. For crash tests.
     */
    void abandon() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (headWatch != null) {
            headWatch.close();
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The group service thread did not stop within 30 s of being abandoned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the service thread

    private RunningGroup group(String name) {
        RunningGroup group = groups.get(name);
        if (group == null) {
            throw new UnknownGroupException("there is no group named '" + name + "'; groups: " + groups.keySet());
        }
        return group;
    }

    /** Attempts at loading and fencing before {@link #open} gives up. */
    private static final int FENCE_ATTEMPTS = 5;
    /** Groups fenced by one append. */
    private static final int FENCE_BATCH = 100;

    /** The stored groups, fenced when the options say so. Service thread. */
    private List<RunningGroup> loadFenced() {
        for (int attempt = 1; ; attempt++) {
            List<RunningGroup> loaded = new ArrayList<>();
            for (GroupLoader.Stored stored : loader.loadAll()) {
                GroupDispatcher dispatcher = GroupDispatcher.restore(stored.definition().name(),
                        stored.definition().settings(), stored.checkpoint(), stored.parked());
                loaded.add(new RunningGroup(stored.definition(), stored.generation(), stored.definitionVersion(),
                        dispatcher, stored.versions()));
            }
            if (!options.fenceOnOpen()) {
                return loaded;
            }
            try {
                for (int from = 0; from < loaded.size(); from += FENCE_BATCH) {
                    List<RunningGroup> batch = loaded.subList(from, Math.min(loaded.size(), from + FENCE_BATCH));
                    AppendRequest.Builder request = AppendRequest.builder();
                    batch.forEach(group -> group.addFence(request));
                    AppendResult result = store.append(request.build());
                    batch.forEach(group -> group.fenced(result));
                }
                return loaded;
            } catch (WrongExpectedVersionException e) {
                // Another writer's state record landed between the read and the fence: most
                // likely a late write of an earlier service; it is read with the rest next time.
                if (attempt == FENCE_ATTEMPTS) {
                    throw new StoreUnavailableException("the consumer groups' state kept changing while"
                            + " the service opened (" + FENCE_ATTEMPTS + " attempts; last: " + e.getMessage()
                            + "): another writer appends to it");
                }
                LOG.info("A group's state changed while the group service opened ({}); reading the groups again",
                        e.getMessage());
            }
        }
    }

    /** Queues the work that follows a change: read ahead, hand out, write, re-arm the timer. */
    private void changed(RunningGroup group) {
        publish(group);
        if (!group.stepQueued) {
            group.stepQueued = true;
            post(() -> run(group));
        }
    }

    private void run(RunningGroup group) {
        group.stepQueued = false;
        if (group.deleted || closed.get()) {
            return;
        }
        try {
            group.readAhead(store, options.maxBuffered(), options.readBatch());
            Instant now = options.clock().instant();
            for (Delivery delivery : group.dispatcher.dispatch(now)) {
                send(group, delivery);
            }
            group.writeState(store, options.clock().instant(), options.flushInterval(), false);
            arm(group);
            if (group.dispatcher.bufferedCount() < options.maxBuffered() / 2 && group.behind(store)) {
                changed(group); // the consumers drained the read-ahead: read and hand out more
            }
            publish(group);
        } catch (RuntimeException e) {
            LOG.error("Group '{}' failed a step; it tries again in {}", group.name(), RETRY_AFTER_FAILURE, e);
            try {
                executor.schedule(() -> changed(group), RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                LOG.debug("Not retrying group '{}': the service is closing", group.name());
            }
        }
    }

    /** Makes the group's numbers as they are now visible to {@link #metrics()} (service thread only). */
    private void publish(RunningGroup group) {
        if (!group.deleted && !closed.get()) {
            published.put(group.name(), group.publish());
        }
    }

    private void send(RunningGroup group, Delivery delivery) {
        DeliverySink sink = group.sinks.get(delivery.consumer());
        try {
            sink.deliver(delivery);
        } catch (RuntimeException e) {
            LOG.warn("Consumer '{}' of group '{}' failed to take delivery {}; it leaves the group", delivery.consumer(),
                    group.name(), delivery.id(), e);
            if (group.dispatcher.consumers().contains(delivery.consumer())) {
                group.dispatcher.leave(delivery.consumer());
                group.sinks.remove(delivery.consumer());
                tellClosed(sink, "its sink threw " + e);
                changed(group);
            }
        }
    }

    /** Schedules the group's next time-driven step: a deadline, a retry, or a pending write. */
    private void arm(RunningGroup group) {
        Instant next = group.dispatcher.nextWakeUp().orElse(null);
        if (group.dirty()) {
            Instant writeAt = group.nextWriteAt(options.flushInterval());
            next = next == null || writeAt.isBefore(next) ? writeAt : next;
        }
        if (next == null) {
            cancelWakeUp(group);
            return;
        }
        if (group.wakeUp != null && !group.wakeUp.isDone() && next.equals(group.wakeUpAt)) {
            return;
        }
        cancelWakeUp(group);
        long delay = Math.max(0, Duration.between(options.clock().instant(), next).toNanos());
        group.wakeUpAt = next;
        try {
            // A millisecond late on purpose: the clock and the scheduler's timer may disagree a little.
            group.wakeUp = executor.schedule(() -> changed(group), delay + 1_000_000, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            group.wakeUpAt = null; // closing: the state was written by close
        }
    }

    private static void cancelWakeUp(RunningGroup group) {
        if (group.wakeUp != null) {
            group.wakeUp.cancel(false);
            group.wakeUp = null;
            group.wakeUpAt = null;
        }
    }

    private void fillAllSoon() {
        if (!closed.get() && fillQueued.compareAndSet(false, true)) {
            post(() -> {
                fillQueued.set(false);
                groups.values().forEach(this::changed);
            });
        }
    }

    /** Queues work for the service thread; after close it is dropped (close has written the state). */
    private void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closed.get()) {
                throw e;
            }
        }
    }

    private static void tellClosed(DeliverySink sink, String reason) {
        try {
            sink.closed(reason);
        } catch (RuntimeException e) {
            LOG.warn("A consumer's sink failed when told '{}'", reason, e);
        }
    }

    /** Runs {@code work} on the service thread (at once if already on it) and returns its result. */
    private <T> T call(Callable<T> work) {
        if (closed.get()) {
            throw new GroupException(ErrorCode.CLOSED, "the group service is closed");
        }
        if (Thread.currentThread() == thread) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new GroupException(ErrorCode.INTERNAL, "group call failed: " + e);
            }
        }
        Future<T> future;
        try {
            future = executor.submit(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new GroupException(ErrorCode.CLOSED, "the group service is closed");
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GroupException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the group service");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new GroupException(ErrorCode.INTERNAL, "group call failed: " + e.getCause());
        }
    }

}
