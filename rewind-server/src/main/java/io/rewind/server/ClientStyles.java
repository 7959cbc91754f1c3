package io.rewind.server;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, per connection, whether its client wants the empty delimiter in replies: a client
 * that has spoken the Rewind dialect (a REQ socket) or Rewind's own commands does, a GoRewind
 * client does not. Used only to answer a message no dialect can own in the envelope its sender
 * understands; a connection never seen before is answered as its message arrived (with the
 * delimiter if it sent one). Bounded: the least recently seen connections are forgotten first.
 * Socket thread only.
 */
final class ClientStyles {

    private static final int MAX_CLIENTS = 65_536;

    private final Map<ByteBuffer, Boolean> delimited = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /** Records how a client's well-formed requests are answered. */
    void remember(ByteBuffer client, boolean wantsDelimiter) {
        delimited.put(client, wantsDelimiter);
    }

    /** Whether to put the delimiter in an answer to an unattributable message from {@code message}'s client. */
    boolean wantsDelimiter(InboundMessage message) {
        Boolean known = delimited.get(message.peer());
        return known != null ? known : message.delimited();
    }
}
