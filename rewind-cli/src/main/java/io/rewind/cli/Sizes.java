package io.rewind.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes as users write them: {@code 1048576}, {@code 512KiB}, {@code 16MiB}, {@code 1g}. */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    static long parse(String text, String what) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new CliException(what + ": '" + text + "' is not a size (examples: 1048576, 512KiB, 16MiB)");
        }
        long multiplier = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new CliException(what + ": '" + text + "' is too large", e);
        }
    }
}
