package io.rewind.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a stream listing, sorted by stream name (by UTF-8 bytes, unsigned).
 * Immutable and thread-safe.
 *
 * @param streams  the streams of this page
 * @param nextAfter the name to pass as {@code after} for the next page, empty on the last page
 */
public record StreamPage(List<StreamInfo> streams, Optional<String> nextAfter) {
    public StreamPage {
        streams = List.copyOf(streams);
    }

    /** A page collected under {@code options}. */
    public static Builder builder(StreamListOptions options) {
        return new Builder(options);
    }

    /**
     * Collects one listing page under its options' limits, the one place that applies the stream
     * limit and the byte budget. Offer the matching streams in name order until it refuses one:
     * the page then has a next cursor. Not thread-safe.
     */
    public static final class Builder {
        private final StreamListOptions options;
        private final List<StreamInfo> streams = new ArrayList<>();
        private long bytes;
        private boolean more;

        private Builder(StreamListOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /** Adds the next matching stream if the limits allow it; once false, the page is full. */
        public boolean offer(StreamInfo stream) {
            if (more) {
                return false;
            }
            long size = StreamListOptions.sizeOf(stream);
            if (streams.size() >= options.maxStreams() || (!streams.isEmpty() && size > options.maxBytes() - bytes)) {
                more = true;
                return false;
            }
            streams.add(stream);
            bytes += size;
            return true;
        }

        /** The page; it has a next cursor when a stream was refused. */
        public StreamPage build() {
            return new StreamPage(streams, more ? Optional.of(streams.get(streams.size() - 1).stream())
                    : Optional.empty());
        }
    }
}
