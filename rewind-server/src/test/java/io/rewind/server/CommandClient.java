package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.util.function.LongFunction;

/** A DEALER speaking Rewind's own commands one at a time. Not thread-safe. */
final class CommandClient {

    final TestClient dealer;
    private long nextId = 1;

    CommandClient(TestClient dealer) {
        this.dealer = dealer;
    }

    long nextId() {
        return nextId++;
    }

    /** Sends the request built for a fresh id and returns the next reply, which must carry that id. */
    <T extends CommandReply> T call(LongFunction<CommandRequest> request, Class<T> expected) {
        long id = nextId();
        dealer.sendCommand(request.apply(id));
        CommandReply reply = dealer.receiveReply();
        assertThat(reply).isInstanceOf(expected);
        assertThat(Replies.idOf(reply)).isEqualTo(id);
        return expected.cast(reply);
    }

    /** Request ids of replies, for matching. */
    static final class Replies {
        private Replies() {
        }

        static long idOf(CommandReply reply) {
            if (reply instanceof CommandReply.Error error) {
                return error.requestId().orElse(Long.MIN_VALUE);
            }
            try {
                return (long) reply.getClass().getMethod("requestId").invoke(reply);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("reply without request id: " + reply, e);
            }
        }
    }
}
