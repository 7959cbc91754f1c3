package io.rewind.log;

import java.util.function.BooleanSupplier;

/** Waiting for a condition with a timeout, instead of sleeping a fixed time. */
final class Conditions {

    private Conditions() {
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 10 s waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
