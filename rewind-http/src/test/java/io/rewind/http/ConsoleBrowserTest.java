package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.groups.Delivery;
import io.rewind.groups.GroupFilter;
import io.rewind.groups.GroupSettings;
import io.rewind.groups.GroupStart;
import io.rewind.groups.Strategy;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium}, driven by
 * {@code playwright-core} from npm): src/test/browser/console.test.mjs finds a stream by prefix,
 * opens a JSON and a binary event, follows a live tail while 1,000 events are appended through the
 * API, and saves a screenshot, which this test checks is not blank; src/test/browser/sse-latency.mjs
 * (the benchmark of docs/BENCHMARKS.md, run small) follows a stream with an EventSource while
 * events are appended at a fixed rate; src/test/browser/groups.test.mjs replays a consumer group's
 * parked events from the Groups tab. {@code .ci/run} installs
 * Chromium and runs {@code npm ci} in src/test/browser; without them the test is skipped locally
 * and fails in CI ({@code CI=true}).
 */
class ConsoleBrowserTest {

    private static final Path SCRIPT_DIRECTORY = Path.of("src", "test", "browser");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOT = Path.of("target", "console.png");

    @Test
    void theConsoleBrowsesStreamsShowsEventsAndFollowsALiveTail() throws Exception {
        requireBrowser();
        try (HttpFixture http = HttpFixture.metered()) {
            String output = runConsoleTest(http.server.uri(), http.store, null);
            // Served as rewind serve serves it: the charts and the subscription list have data.
            assertThat(output).contains("charts checked").contains("subscriptions checked");
        }
        assertNotBlank(Path.of("target", "console-subscriptions.png"));
    }

    /** The same with bearer tokens on: the page asks for a token, refuses a wrong one, keeps the right one for its tab. */
    @Test
    void theConsoleLogsInWithATokenWhenTheServerAsksForOne(@TempDir Path temp) throws Exception {
        requireBrowser();
        try (SecuredServer http = new SecuredServer(temp, null)) {
            runConsoleTest(http.server.uri(), http.store, http.tokens.get("admin"));
        }
    }

    /**
     * The Groups tab (src/test/browser/groups.test.mjs) over the server's real group service: a group
     * with one parked event shows parked 1, its Replay button replays it and the count goes to 0; a
     * group with two goes to 0 by Replay all. The consumers here park each event the first time and
     * ack the replays, so the counts stay at 0; they must have received exactly those replays.
     */
    @Test
    void theGroupsTabShowsParkedCountsAndReplaysParkedEventsWithAClick() throws Exception {
        requireBrowser();
        Path screenshot = Path.of("target", "console-groups.png");
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        try (HttpFixture http = HttpFixture.metered()) {
            http.groups.create("billing", GroupSettings.defaults(), GroupFilter.streamPrefix("invoices-"),
                    GroupStart.beginning());
            http.groups.create("shipping", GroupSettings.defaults().withStrategy(Strategy.PINNED_BY_STREAM),
                    GroupFilter.streamPrefix("parcels-"), GroupStart.beginning());
            GroupTestConsumer billing = GroupTestConsumer.join(http.groups, "billing", "billing-worker",
                    event -> event.type().equals("InvoiceFailed"));
            GroupTestConsumer shipping = GroupTestConsumer.join(http.groups, "shipping", "shipping-worker", event -> true);
            long failed = http.store.append("invoices-1", ExpectedVersion.any(), java.util.List.of(
                    EventData.of("InvoiceIssued", "{\"invoice\":7}".getBytes(StandardCharsets.UTF_8)),
                    EventData.of("InvoiceFailed", "{\"invoice\":7}".getBytes(StandardCharsets.UTF_8))))
                    .events().get(1).position();
            long parcel1 = http.store.append("parcels-1", ExpectedVersion.any(),
                    EventData.of("ParcelSent", "{}".getBytes(StandardCharsets.UTF_8))).events().get(0).position();
            long parcel2 = http.store.append("parcels-2", ExpectedVersion.any(),
                    EventData.of("ParcelSent", "{}".getBytes(StandardCharsets.UTF_8))).events().get(0).position();
            GroupTestConsumer.await(http.groups, "billing", info -> info.parked() == 1 && info.inFlight() == 0,
                    "with InvoiceFailed parked");
            GroupTestConsumer.await(http.groups, "shipping", info -> info.parked() == 2 && info.inFlight() == 0,
                    "with both parcels parked");

            String output = node("groups.test.mjs", http.server.uri(), screenshot.toAbsolutePath().toString());
            assertThat(output).contains("replay checked").contains("replay all checked").contains("groups test passed");
            GroupTestConsumer.await(http.groups, "billing", info -> info.parked() == 0 && info.inFlight() == 0,
                    "with its replayed event acked");
            GroupTestConsumer.await(http.groups, "shipping", info -> info.parked() == 0 && info.inFlight() == 0,
                    "with its replayed events acked");
            assertThat(billing.deliveries.stream().filter(Delivery::replay).map(d -> d.event().position()))
                    .as("the replays billing's consumer got").containsExactly(failed);
            assertThat(shipping.deliveries.stream().filter(Delivery::replay).map(d -> d.event().position()))
                    .as("the replays shipping's consumer got").containsExactlyInAnyOrder(parcel1, parcel2);
        }
        assertNotBlank(screenshot);
    }

    /**
     * The latency script of docs/BENCHMARKS.md, small: an EventSource in Chromium receives every
     * event appended over HTTP at a fixed rate, once and in order (it exits non-zero otherwise).
     */
    @Test
    void aBrowsersEventSourceReceivesEveryEventAppendedAtAFixedRateInOrder() throws Exception {
        requireBrowser();
        try (HttpFixture http = new HttpFixture()) {
            String output = node("sse-latency.mjs", http.server.uri(), "200", "400");
            assertThat(output).contains("\"received\":400").contains("\"out_of_order\":0")
                    .contains("\"append_failures\":0");
            assertThat(http.store.headPosition()).isEqualTo(399);
        }
    }

    /** Runs console.test.mjs against {@code base}; returns what it printed. */
    private static String runConsoleTest(String base, io.rewind.api.EventStore store, String token) throws Exception {
        store.append("orders-1", ExpectedVersion.any(), new EventData(UUID.randomUUID(), "OrderPlaced",
                "{\"total\":12}".getBytes(StandardCharsets.UTF_8), "{\"user\":\"ada\"}".getBytes(StandardCharsets.UTF_8)));
        store.append("orders-2", ExpectedVersion.any(), EventData.of("Blob", new byte[] {0, 1, (byte) 0xff}));
        store.append("payments-1", ExpectedVersion.any(), EventData.of("Paid", "{}".getBytes(StandardCharsets.UTF_8)));
        Path screenshot = token == null ? SCREENSHOT : Path.of("target", "console-login.png");
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        String output = token == null ? node("console.test.mjs", base, screenshot.toAbsolutePath().toString())
                : node("console.test.mjs", base, screenshot.toAbsolutePath().toString(), token);
        assertThat(output).contains("console test passed");
        assertThat(store.headPosition()).as("the page's appends are stored").isEqualTo(1002);
        assertNotBlank(screenshot);
        assertNotBlank(Path.of(screenshot.toString().replace(".png", "-streams.png")));
        return output;
    }

    /** Skips the test locally, and fails it in CI, when Chromium, node or playwright-core is missing. */
    private static void requireBrowser() {
        boolean ready = Files.isExecutable(CHROMIUM) && Files.isDirectory(SCRIPT_DIRECTORY.resolve("node_modules")
                .resolve("playwright-core")) && onPath("node");
        if (!ready) {
            String missing = "Chromium (" + CHROMIUM + "), node and playwright-core (npm ci in " + SCRIPT_DIRECTORY
                    + ") are needed for the browser test; .ci/run installs them";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
    }

    /** Runs {@code node SCRIPT ARGS} in src/test/browser; returns what it printed once it exited 0. */
    private static String node(String... scriptAndArgs) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("node"));
        command.addAll(java.util.List.of(scriptAndArgs));
        Process node = new ProcessBuilder(command).directory(SCRIPT_DIRECTORY.toFile()).redirectErrorStream(true)
                .start();
        boolean finished = node.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(finished).as("the browser script finished; it printed: " + output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        return output;
    }

    private static void assertNotBlank(Path screenshot) throws java.io.IOException {
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertThat(image).as(screenshot + " is a PNG").isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot (a blank page has one)").isGreaterThan(20);
    }

    private static boolean onPath(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }
}
