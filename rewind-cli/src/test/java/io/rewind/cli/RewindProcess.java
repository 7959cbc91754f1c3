package io.rewind.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code rewind} command ({@code serve}, {@code tail}, ...) run in its own JVM, as a user runs it
 * (same main class as the jar, on the test classpath), with its stdout and stderr collected through
 * pipes, so it never has a terminal. Always stopped by {@link #close()}.
 */
final class RewindProcess implements AutoCloseable {

    private static final Pattern COMMAND_ENDPOINT = Pattern.compile("command endpoint\\s+(\\S+)");
    private static final Pattern STREAM_ENDPOINT = Pattern.compile("(?m)^\\s+stream endpoint\\s+(\\S+)");
    private static final Pattern LEGACY_STREAM_ENDPOINT = Pattern.compile("legacy stream endpoint\\s+(\\S+)");
    private static final Pattern HTTP_ENDPOINT = Pattern.compile("http endpoint\\s+(\\S+)");

    private final Process process;
    private final Collector stdout;
    private final Collector stderr;

    private RewindProcess(Process process) {
        this.process = process;
        this.stdout = new Collector(process.getInputStream(), "stdout");
        this.stderr = new Collector(process.getErrorStream(), "stderr");
        stdout.start();
        stderr.start();
    }

    /** Runs {@code rewind ARGS} from the test classpath. */
    static RewindProcess start(String... args) throws IOException {
        return launch(List.of("-cp", System.getProperty("java.class.path"), Rewind.class.getName()), args);
    }

    /** Runs {@code java -jar JAR ARGS}: the packaged command exactly as {@code ./rewind} runs it. */
    static RewindProcess startJar(java.nio.file.Path jar, String... args) throws IOException {
        return launch(List.of("-jar", jar.toString()), args);
    }

    /** Runs {@code rewind ARGS} from the test classpath in a JVM started with {@code jvmOptions} (e.g. -Xmx). */
    static RewindProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        List<String> javaArgs = new ArrayList<>(jvmOptions);
        javaArgs.addAll(List.of("-cp", System.getProperty("java.class.path"), Rewind.class.getName()));
        return launch(javaArgs, args);
    }

    /** Runs {@code rewind ARGS} from the test classpath with these environment variables changed. */
    static RewindProcess startWithEnvironment(Map<String, String> environment, String... args) throws IOException {
        return launch(List.of("-cp", System.getProperty("java.class.path"), Rewind.class.getName()), environment, args);
    }

    /**
     * Runs {@code mainClass} from the test classpath in a JVM of its own started with
     * {@code jvmOptions}: a helper process of a test (a consumer, a writer) rather than a
     * {@code rewind} command.
     */
    static RewindProcess startMain(List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> javaArgs = new ArrayList<>(jvmOptions);
        javaArgs.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return launch(javaArgs, args);
    }

    private static RewindProcess launch(List<String> javaArgs, String... args) throws IOException {
        return launch(javaArgs, Map.of(), args);
    }

    private static RewindProcess launch(List<String> javaArgs, Map<String, String> environment, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(javaArgs);
        command.addAll(List.of(args));
        // Servers started by tests run side by side: unless a test chooses, the HTTP API takes an
        // ephemeral port on 127.0.0.1 instead of the default 9004.
        if (args.length > 0 && args[0].equals("serve") && !List.of(args).contains("--http-endpoint")) {
            command.addAll(List.of("--http-endpoint", "127.0.0.1:0"));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return new RewindProcess(builder.start());
    }

    /** Waits until the server printed its endpoints; returns the command endpoint it bound. */
    String awaitCommandEndpoint(long timeoutMs) throws InterruptedException {
        return awaitMatch(COMMAND_ENDPOINT, timeoutMs)
                .orElseThrow(() -> new AssertionError("server did not report ready within " + timeoutMs
                        + " ms; stdout: " + stdout() + " stderr: " + stderr()));
    }

    String streamEndpoint(long timeoutMs) throws InterruptedException {
        return awaitMatch(STREAM_ENDPOINT, timeoutMs).orElseThrow();
    }

    String legacyStreamEndpoint(long timeoutMs) throws InterruptedException {
        return awaitMatch(LEGACY_STREAM_ENDPOINT, timeoutMs).orElseThrow();
    }

    /** The HTTP API's base URI as the server printed it ({@code http://127.0.0.1:PORT/}, or {@code off}). */
    String httpEndpoint(long timeoutMs) throws InterruptedException {
        return awaitMatch(HTTP_ENDPOINT, timeoutMs).orElseThrow();
    }

    private Optional<String> awaitMatch(Pattern pattern, long timeoutMs) throws InterruptedException {
        Matcher matcher = pattern.matcher("");
        return awaitStdout(text -> matcher.reset(text).find(), timeoutMs) ? Optional.of(matcher.group(1))
                : Optional.empty();
    }

    /**
     * Waits until what the process printed on stdout satisfies {@code condition}; false when the
     * time ran out or the process ended first.
     */
    boolean awaitStdout(Predicate<String> condition, long timeoutMs) throws InterruptedException {
        return await(stdout, condition, timeoutMs);
    }

    /** As {@link #awaitStdout}, for what the process wrote on stderr (its log). */
    boolean awaitStderr(Predicate<String> condition, long timeoutMs) throws InterruptedException {
        return await(stderr, condition, timeoutMs);
    }

    private boolean await(Collector collector, Predicate<String> condition, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (condition.test(collector.text())) {
                return true;
            }
            if (!process.isAlive() && !collector.isAlive()) {
                return condition.test(collector.text());
            }
            collector.awaitMore(50);
        }
        return false;
    }

    /** The operating system's process id. */
    long pid() {
        return process.pid();
    }

    /** Sends SIGKILL and waits until the process is gone. */
    void kill(long timeoutMs) throws InterruptedException {
        process.destroyForcibly();
        awaitExit(timeoutMs);
    }

    /** Sends SIGTERM and waits for the exit code. */
    int terminate(long timeoutMs) throws InterruptedException {
        process.destroy();
        return awaitExit(timeoutMs);
    }

    int awaitExit(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process did not exit within " + timeoutMs + " ms; stderr: " + stderr());
        }
        stdout.join(10_000);
        stderr.join(10_000);
        return process.exitValue();
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return stdout.text();
    }

    String stderr() {
        return stderr.text();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Collector extends Thread {
        private final InputStream input;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Collector(InputStream input, String name) {
            super("rewind-process-" + name);
            this.input = input;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = input.read(buffer)) >= 0) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                        bytes.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended; what was read stays available
            }
        }

        void awaitMore(long millis) throws InterruptedException {
            synchronized (bytes) {
                bytes.wait(millis);
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
