package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.api.CorruptionException;
import io.rewind.api.Direction;
import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rewind repair}: an acknowledged event damaged after a crash refuses to open and is
 * reported by {@code verify}; the operator cuts it with the offset the error names, keeping a copy;
 * without the flag, or with a bad offset or directory, nothing happens.
 */
class RepairCommandTest {

    @TempDir
    Path root;
    private Path crashed;
    private Path lastSegment;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = Rewind.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /** Writes 30 acknowledged events, copies the open directory (a crash), and damages the last one. */
    @BeforeEach
    void crashAndDamageTheLastAcknowledgedEvent() throws Exception {
        Path live = root.resolve("live");
        crashed = root.resolve("crashed");
        Files.createDirectories(crashed);
        try (EventStore store = LogEventStore.open(LogConfig.builder(live).segmentSize(4096).build())) {
            for (int i = 0; i < 30; i++) {
                store.append("repair-" + (i % 3), ExpectedVersion.any(),
                        EventData.of("Tested", ("event " + i).getBytes(StandardCharsets.UTF_8)));
            }
            try (Stream<Path> files = Files.list(live)) {
                for (Path file : files.filter(f -> !f.getFileName().toString().equals("LOCK")).toList()) {
                    Files.copy(file, crashed.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> files = Files.list(crashed)) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
            lastSegment = segments.get(segments.size() - 1);
        }
        byte[] bytes = Files.readAllBytes(lastSegment);
        bytes[bytes.length - 3] ^= (byte) 0xFF; // inside the last record's data
        Files.write(lastSegment, bytes);
    }

    @Test
    void theOffsetARefusedOpenNamesCutsTheDamagedEventAndTheLogOpensAgain() throws Exception {
        assertThat(run("verify", crashed.toString())).isEqualTo(VerifyCommand.DAMAGED);
        assertThat(out.toString()).contains("damage to acknowledged data").contains(lastSegment.toString());
        String refusal = refusedOpenMessage();
        Matcher suggested = Pattern.compile("rewind repair --cut-at (\\S+) ").matcher(refusal);
        assertThat(suggested.find()).as(refusal).isTrue();
        String cutAt = suggested.group(1);
        long offset = Long.parseLong(cutAt.substring(cutAt.indexOf(':') + 1));
        long sizeBefore = Files.size(lastSegment);

        out.getBuffer().setLength(0);
        assertThat(run("repair", "--cut-at", cutAt, "log:" + crashed)).isZero();

        assertThat(out.toString()).contains("cut " + lastSegment.getFileName() + " at offset " + offset)
                .contains((sizeBefore - offset) + " byte(s) removed").contains("next event gets position 29")
                .contains("kept: " + lastSegment + ".cut-");
        try (Stream<Path> files = Files.list(crashed)) {
            Path copy = files.filter(f -> f.getFileName().toString().startsWith(lastSegment.getFileName() + ".cut-"))
                    .findFirst().orElseThrow();
            assertThat(Files.size(copy)).isEqualTo(sizeBefore - offset);
        }
        out.getBuffer().setLength(0);
        assertThat(run("verify", crashed.toString())).isZero();
        try (EventStore store = LogEventStore.open(LogConfig.builder(crashed).segmentSize(4096).build())) {
            assertThat(store.readAll(0, Direction.FORWARD, 100)).hasSize(29);
        }
    }

    @Test
    void withoutTheCutAtFlagNothingIsCut() throws Exception {
        Map<String, String> before = snapshot(crashed);
        assertThat(run("repair", crashed.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--cut-at=[SEGMENT:]OFFSET'")
                .contains("rewind repair --help");
        assertThat(snapshot(crashed)).isEqualTo(before);
    }

    @Test
    void helpDescribesTheCutAndWhereTheCopyGoes() {
        assertThat(run("repair", "--help")).isZero();
        assertThat(out.toString()).contains("--cut-at=[SEGMENT:]OFFSET").contains("<file>.cut-<millis>")
                .contains("Exit status:");
    }

    @Test
    void aBadOffsetOrDirectoryIsAOneLineErrorAndChangesNothing() throws Exception {
        Map<String, String> before = snapshot(crashed);
        long size = Files.size(lastSegment);

        assertThat(run("repair", "--cut-at", Long.toString(size + 100), crashed.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("rewind: repair: refused, nothing changed: offset " + (size + 100)
                + " is outside the records of " + lastSegment);
        err.getBuffer().setLength(0);
        assertThat(run("repair", "--cut-at", lastSegment.getFileName() + ":29", crashed.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("offset 29 is not at a record boundary of " + lastSegment)
                .contains("the record at offset 24 ends at offset").doesNotContain("\tat ");
        err.getBuffer().setLength(0);
        assertThat(run("repair", "--cut-at", Long.toString(size - 5), crashed.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("lies after damage").contains("fails its checksum");
        err.getBuffer().setLength(0);
        assertThat(run("repair", "--cut-at", "twelve", crashed.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rewind: repair: 'twelve' is not a byte offset (a number >= 0)"
                + System.lineSeparator());
        err.getBuffer().setLength(0);
        assertThat(run("repair", "--cut-at", "24", root.resolve("absent").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rewind: repair: " + root.resolve("absent") + " is not a directory"
                + System.lineSeparator());
        assertThat(snapshot(crashed)).isEqualTo(before);
    }

    private String refusedOpenMessage() {
        Throwable[] refused = new Throwable[1];
        assertThatThrownBy(() -> LogEventStore.open(LogConfig.builder(crashed).segmentSize(4096).build()).close())
                .isInstanceOf(CorruptionException.class)
                .satisfies(e -> refused[0] = e);
        return refused[0].getMessage();
    }

    private static Map<String, String> snapshot(Path directory) throws Exception {
        Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("LOCK")).toList()) {
                contents.put(file.getFileName().toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return contents;
    }
}
