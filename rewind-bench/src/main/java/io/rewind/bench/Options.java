package io.rewind.bench;

import io.rewind.log.Durability;
import io.rewind.stores.StoreUri;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that picocli cannot express, reported as usage errors (exit code 2,
 * the message naming the option). Stateless.
 */
final class Options {

    private Options() {
    }

    static StoreUri store(CommandSpec spec, String text) {
        try {
            return StoreUri.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static Durability fsync(CommandSpec spec, String text) {
        try {
            return StoreUri.parseFsync(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static void atLeast(CommandSpec spec, String option, long value, long minimum) {
        if (value < minimum) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + minimum + ", was " + value);
        }
    }

    static void between(CommandSpec spec, String option, long value, long minimum, long maximum) {
        if (value < minimum || value > maximum) {
            throw new ParameterException(spec.commandLine(), option + " must be between " + minimum + " and " + maximum
                    + ", was " + value);
        }
    }
}
