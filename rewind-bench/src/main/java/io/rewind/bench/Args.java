package io.rewind.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} arguments of the probes, with defaults. Immutable after parsing. */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String text(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    long number(String key, long fallback) {
        return Long.parseLong(values.getOrDefault(key, Long.toString(fallback)));
    }
}
