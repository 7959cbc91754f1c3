package io.rewind.api;

import java.util.List;
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
}
