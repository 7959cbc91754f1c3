package io.rewind.log;

import java.util.Arrays;
import java.util.List;

/**
 * The segments of the log in position order, as an immutable array the writer replaces (through
 * a volatile field) when it rolls to a new segment. Thread-safe.
 */
final class SegmentList {

    private final Segment[] segments;

    SegmentList(List<Segment> segments) {
        this.segments = segments.toArray(new Segment[0]);
    }

    SegmentList withAdded(Segment segment) {
        Segment[] larger = Arrays.copyOf(segments, segments.length + 1);
        larger[segments.length] = segment;
        return new SegmentList(Arrays.asList(larger));
    }

    SegmentList withoutLast() {
        return new SegmentList(Arrays.asList(segments).subList(0, segments.length - 1));
    }

    List<Segment> all() {
        return List.of(segments);
    }

    Segment last() {
        return segments[segments.length - 1];
    }

    /** The segment holding {@code position}: the last one whose base is at or before it. */
    Segment holding(long position) {
        return segments[indexHolding(position)];
    }

    /** The base position of the segment after the one holding {@code position}; MAX_VALUE for the last. */
    long nextBaseAfter(long position) {
        int index = indexHolding(position) + 1;
        return index < segments.length ? segments[index].basePosition() : Long.MAX_VALUE;
    }

    private int indexHolding(long position) {
        return Search.floor(segments.length, i -> segments[i].basePosition(), position);
    }
}
