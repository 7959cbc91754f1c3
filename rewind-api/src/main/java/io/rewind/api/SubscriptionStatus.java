package io.rewind.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One open subscription as the store serving it sees it, for monitoring (the console's list of
 * subscriptions): what was asked, since when, and how far it has come. The store's head minus
 * {@code lastPosition} is how far it lags.
 *
 * @param request      what the subscriber asked for
 * @param opened       when it was opened
 * @param lastPosition the position of the last event delivered or skipped past (its start point
 *                     before the first)
 */
public record SubscriptionStatus(SubscriptionRequest request, Instant opened, long lastPosition) {

    public SubscriptionStatus {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(opened, "opened");
    }
}
