package io.rewind.cli;

import io.rewind.api.AppendResult;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import java.io.PrintWriter;

/**
 * Prints what the tools report, either for people (one {@code key=value} line per item) or for
 * scripts (one JSON object per line). The two carry the same facts under the same names; the JSON
 * keys are documented in README.md. Not thread-safe; one command's thread owns it.
 */
final class Printer {

    private final PrintWriter out;
    private final boolean json;

    Printer(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** One stored event. Data and metadata are text when they are UTF-8, base64 otherwise. */
    void event(RecordedEvent event) {
        if (json) {
            Json line = new Json().put("stream", event.stream()).put("version", event.version())
                    .put("position", event.position()).put("id", event.id().toString())
                    .put("type", event.type()).put("timestamp", event.timestamp().toString());
            if (event.metadataSize() > 0) {
                Payload.putJson(line, "metadata", event.metadata());
            }
            Payload.putJson(line, "data", event.data());
            out.println(line);
            return;
        }
        StringBuilder line = new StringBuilder(128)
                .append("position=").append(event.position())
                .append(" stream=").append(Payload.escapeControls(event.stream()))
                .append(" version=").append(event.version());
        if (!event.type().isEmpty()) {
            line.append(" type=").append(Payload.escapeControls(event.type()));
        }
        line.append(" time=").append(event.timestamp()).append(" id=").append(event.id());
        if (event.metadataSize() > 0) {
            line.append(' ').append(Payload.human("metadata", event.metadata()));
        }
        // Data comes last: it may contain spaces, and nothing after it needs finding.
        line.append(' ').append(Payload.human("data", event.data()));
        out.println(line);
    }

    /** Where one published event was stored. */
    void written(AppendResult.Written written) {
        if (json) {
            out.println(new Json().put("stream", written.stream()).put("version", written.version())
                    .put("position", written.position()).put("id", written.id().toString()));
        } else {
            out.println("stream=" + Payload.escapeControls(written.stream()) + " version=" + written.version()
                    + " position=" + written.position() + " id=" + written.id());
        }
    }

    /** One stream of a listing, on one line. */
    void stream(StreamInfo info) {
        if (json) {
            out.println(streamJson(info));
        } else {
            out.println("stream=" + Payload.escapeControls(info.stream()) + " events=" + info.eventCount()
                    + " head_version=" + info.headVersion() + " first_position=" + info.firstPosition()
                    + " last_position=" + info.lastPosition());
        }
    }

    /** One stream in detail: a small table for people, the same JSON line as {@link #stream}. */
    void streamDetail(StreamInfo info) {
        if (json) {
            out.println(streamJson(info));
            return;
        }
        out.printf("stream          %s%n", Payload.escapeControls(info.stream()));
        out.printf("events          %d%n", info.eventCount());
        out.printf("head version    %d   (expected version for the next append)%n", info.headVersion());
        out.printf("first position  %d%n", info.firstPosition());
        out.printf("last position   %d%n", info.lastPosition());
    }

    void flush() {
        out.flush();
    }

    /** Whether writing failed, as when the reader of a pipe went away; flushes first. */
    boolean outputClosed() {
        return out.checkError();
    }

    private static Json streamJson(StreamInfo info) {
        return new Json().put("stream", info.stream()).put("events", info.eventCount())
                .put("head_version", info.headVersion()).put("first_position", info.firstPosition())
                .put("last_position", info.lastPosition());
    }
}
