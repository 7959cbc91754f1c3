/**
 * Consumer groups (persistent subscriptions) over any {@link io.rewind.api.EventStore}; see
 * docs/GROUPS.md. {@link io.rewind.groups.GroupDispatcher} is the deterministic state machine of one
 * group (no I/O, no threads, time passed in); {@link io.rewind.groups.GroupService} runs the groups
 * of a store on one thread of its own and keeps their definitions, checkpoints and parked lists in
 * the store's {@code $rewind.} system streams ({@link io.rewind.api.SystemStreams}), so they survive
 * restarts. Depends on {@code rewind-api} only; the wire protocol, client and CLI are not built yet.
 */
package io.rewind.groups;
