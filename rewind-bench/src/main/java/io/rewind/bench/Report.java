package io.rewind.bench;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one benchmark run, in the order they were added, and the two ways they are
 * printed: a one-line human summary, and one JSON object (for {@code --json}) whose keys are the
 * figure names. Not thread-safe: the command's main thread builds it after the run.
 *
 * <p>Figure names are the JSON keys the issue fixes where they apply ({@code events_per_s},
 * {@code mb_per_s}, {@code p50_us}, {@code p99_us}, {@code p999_us},
 * {@code mean_events_per_fsync}, {@code ceiling_events_per_s}, {@code ratio_to_ceiling},
 * {@code reopen_ms}, {@code heap_mb}), plus the run's parameters.
 */
public final class Report {

    private final String command;
    private final Map<String, Object> values = new LinkedHashMap<>();

    public Report(String command) {
        this.command = command;
        values.put("command", command);
    }

    /** Adds a text value (a parameter such as the store or the dialect). */
    public Report text(String key, String value) {
        values.put(key, value);
        return this;
    }

    /** Adds a whole number. */
    public Report count(String key, long value) {
        values.put(key, value);
        return this;
    }

    /** Adds a measured figure; NaN and infinities are left out (the figure does not apply). */
    public Report figure(String key, double value) {
        if (Double.isFinite(value)) {
            values.put(key, value);
        }
        return this;
    }

    /** The value under {@code key}, or null. */
    public Object get(String key) {
        return values.get(key);
    }

    /** Whether the report holds {@code key}. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The whole report as one JSON object on one line. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            appendString(json, entry.getKey());
            json.append(':');
            Object value = entry.getValue();
            if (value instanceof String text) {
                appendString(json, text);
            } else if (value instanceof Double number) {
                json.append(formatNumber(number));
            } else {
                json.append(value);
            }
        }
        return json.append('}').toString();
    }

    /** {@code command: key=value key=value ...}, numbers rounded for reading. */
    public String toSummary() {
        StringBuilder line = new StringBuilder(command).append(':');
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            if (entry.getKey().equals("command")) {
                continue;
            }
            line.append(' ').append(entry.getKey()).append('=');
            Object value = entry.getValue();
            line.append(value instanceof Double number ? readable(number) : String.valueOf(value));
        }
        return line.toString();
    }

    /**
     * Prints the run's result: with {@code json}, the JSON object on {@code out} and the summary on
     * {@code err}; otherwise the summary on {@code out}.
     */
    public void print(boolean json, PrintWriter out, PrintWriter err) {
        if (json) {
            out.println(toJson());
            err.println(toSummary());
        } else {
            out.println(toSummary());
        }
        out.flush();
        err.flush();
    }

    private static String formatNumber(double number) {
        if (number == Math.rint(number) && Math.abs(number) < 1e15) {
            return Long.toString((long) number);
        }
        return String.format(Locale.ROOT, "%.3f", number);
    }

    private static String readable(double number) {
        if (Math.abs(number) >= 100) {
            return String.format(Locale.ROOT, "%.0f", number);
        }
        return String.format(Locale.ROOT, "%.2f", number);
    }

    private static void appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
