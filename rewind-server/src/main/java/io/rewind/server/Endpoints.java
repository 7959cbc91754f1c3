package io.rewind.server;

import java.util.Locale;

/** What an endpoint string says about where it listens. Stateless. */
final class Endpoints {

    private Endpoints() {
    }

    /**
     * Whether {@code endpoint} listens on this machine only: tcp on 127.0.0.0/8, {@code ::1} or
     * {@code localhost}, or any transport that is not a network one (ipc, inproc; a transport
     * ZeroMQ does not know fails to bind anyway). A tcp endpoint on anything else ({@code *},
     * {@code 0.0.0.0}, an interface name, another address) and the other network transports (pgm,
     * epgm, udp, norm, tipc, ws, wss) count as reachable from the network.
     */
    static boolean isLoopback(String endpoint) {
        String lower = endpoint.toLowerCase(Locale.ROOT);
        for (String network : new String[] {"pgm://", "epgm://", "udp://", "norm://", "tipc://", "ws://", "wss://"}) {
            if (lower.startsWith(network)) {
                return false;
            }
        }
        if (!lower.startsWith("tcp://")) {
            return true;
        }
        String address = lower.substring("tcp://".length());
        int semicolon = address.indexOf(';'); // tcp://source;destination: the bound one is the last
        if (semicolon >= 0) {
            address = address.substring(semicolon + 1);
        }
        String host;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            host = close < 0 ? address : address.substring(1, close);
        } else {
            int colon = address.lastIndexOf(':');
            host = colon < 0 ? address : address.substring(0, colon);
        }
        return host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
