/**
 * Implementation helpers shared by the stores: {@link io.rewind.core.AppendPlanner} (one set of
 * append rules for every store), {@link io.rewind.core.CatchUpSubscription} (the pulling
 * subscription loop) and {@link io.rewind.core.HeadWatch} (the durable head and its waiters).
 * Nothing here is part of the public API in {@code rewind-api}; users of the client never load it.
 */
package io.rewind.core;
