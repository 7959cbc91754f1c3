/**
 * Implementation helpers shared by the stores: {@link io.rewind.core.AppendPlanner} (one set of
 * append rules for every store), {@link io.rewind.core.CatchUpSubscription} (the pulling
 * subscription loop), {@link io.rewind.core.HeadWatch} (the durable head, its waiters and the
 * listeners behind {@code EventStore.watchHead}) and {@link io.rewind.core.AppendAdmission} (the
 * bound on what waits for a store's writer).
 * Nothing here is part of the public API in {@code rewind-api}; users of the client never load it.
 */
package io.rewind.core;
