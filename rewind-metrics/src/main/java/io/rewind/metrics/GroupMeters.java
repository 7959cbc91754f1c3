package io.rewind.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rewind.groups.GroupMetrics;
import io.rewind.groups.GroupService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * One set of meters per consumer group, tagged {@code group}, from {@link GroupService#metrics()}
 * (docs/GROUPS.md, "Metrics"):
 * <ul>
 *   <li>{@code rewind_group_lag_events}: events read and not settled, plus store positions not read
 *       yet (see {@link GroupMetrics#lagEvents()});</li>
 *   <li>{@code rewind_group_lag_seconds}: the age of the oldest event read and not settled, 0 when
 *       none is;</li>
 *   <li>{@code rewind_group_in_flight}: deliveries out and not settled;</li>
 *   <li>{@code rewind_group_retries_total}: redeliveries after a nack with retry, an ack timeout or a
 *       consumer leaving (a counter, from 0 when the service starts the group);</li>
 *   <li>{@code rewind_group_parked}: events in the parked list;</li>
 *   <li>{@code rewind_group_consumers}: members.</li>
 * </ul>
 * {@link #refresh} takes the service's numbers and registers the meters of a new group and removes
 * those of a group that is gone; the meters read the numbers the last refresh took. Thread-safe.
 */
final class GroupMeters {

    private final Supplier<List<GroupMetrics>> groups;
    private final MeterRegistry registry;
    /** Guarded by {@code this}. */
    private final Map<String, List<Meter>> meters = new HashMap<>();
    private volatile Map<String, GroupMetrics> latest = Map.of();

    GroupMeters(GroupService groups, MeterRegistry registry) {
        this(Objects.requireNonNull(groups, "groups")::metrics, registry);
    }

    /** Meters of whatever groups {@code groups} reports at each refresh (none when it reports none). */
    GroupMeters(Supplier<List<GroupMetrics>> groups, MeterRegistry registry) {
        this.groups = Objects.requireNonNull(groups, "groups");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    synchronized void refresh() {
        Map<String, GroupMetrics> now = new HashMap<>();
        for (GroupMetrics m : groups.get()) {
            now.put(m.group(), m);
        }
        latest = now;
        for (String name : now.keySet()) {
            meters.computeIfAbsent(name, this::register);
        }
        meters.entrySet().removeIf(entry -> {
            if (now.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> register(String group) {
        List<Meter> out = new ArrayList<>();
        out.add(gauge("rewind.group.lag.events", null, group, m -> m.lagEvents(),
                "Events the group read and has not settled, plus store positions after the last one it read"
                        + " up to the head (positions: they include events its filter does not match)"));
        out.add(gauge("rewind.group.lag", "seconds", group, GroupMetrics::lagSeconds,
                "Now minus the recorded time of the oldest event the group read and has not settled; 0 when"
                        + " it has none"));
        out.add(gauge("rewind.group.in.flight", null, group, m -> m.inFlight(),
                "Deliveries handed out and not settled yet"));
        out.add(gauge("rewind.group.parked", null, group, m -> m.parked(), "Events in the group's parked list"));
        out.add(gauge("rewind.group.consumers", null, group, m -> m.consumers(), "Consumers in the group"));
        out.add(FunctionCounter.builder("rewind.group.retries", this, meters -> meters.value(group,
                        m -> m.redeliveries()))
                .description("Redeliveries: a nack with retry, an ack timeout, or a consumer leaving with the"
                        + " delivery (not those that parked the event); from 0 when the service starts the group")
                .tag("group", group).register(registry));
        return out;
    }

    private Gauge gauge(String name, String unit, String group, ToDoubleFunction<GroupMetrics> value,
            String description) {
        return Gauge.builder(name, this, meters -> meters.value(group, value)).baseUnit(unit)
                .description(description).tag("group", group).register(registry);
    }

    private double value(String group, ToDoubleFunction<GroupMetrics> value) {
        GroupMetrics m = latest.get(group);
        return m == null ? Double.NaN : value.applyAsDouble(m);
    }
}
