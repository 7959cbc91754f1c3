package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventData;
import io.rewind.api.EventStore;
import io.rewind.api.ExpectedVersion;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyCommandTest {

    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int verify(String... args) {
        CommandLine commandLine = Rewind.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "verify";
        System.arraycopy(args, 0, all, 1, args.length);
        return commandLine.execute(all);
    }

    private void writeEvents(int count) {
        try (EventStore store = LogEventStore.open(LogConfig.builder(directory).segmentSize(4096).build())) {
            for (int i = 0; i < count; i++) {
                store.append("verify-" + (i % 3), ExpectedVersion.any(),
                        EventData.of("Tested", ("event " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void aSoundLogReportsItsContentsAndExitsZero() {
        writeEvents(200);
        assertThat(verify("log:" + directory)).isZero();
        assertThat(out.toString()).contains("200 event(s)").contains(": sound");
    }

    @Test
    void aFlippedByteInASealedSegmentIsReportedWithItsFileAndChangesNothing() throws Exception {
        writeEvents(200);
        Path sealed;
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
            assertThat(segments).hasSizeGreaterThan(1);
            sealed = segments.get(0);
        }
        try (FileChannel channel = FileChannel.open(sealed, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, 100);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            channel.write(one, 100);
        }
        byte[] before = Files.readAllBytes(sealed);

        assertThat(verify(directory.toString())).isEqualTo(VerifyCommand.DAMAGED);
        assertThat(out.toString()).contains("problem(s)").contains(sealed.getFileName().toString());
        assertThat(Files.readAllBytes(sealed)).isEqualTo(before);
    }

    @Test
    void aLogInUseCannotBeVerified() {
        try (EventStore store = LogEventStore.open(LogConfig.builder(directory).build())) {
            store.append("s", ExpectedVersion.any(), EventData.of("T", new byte[1]));
            assertThat(verify(directory.toString())).isEqualTo(1);
            assertThat(err.toString()).startsWith("rewind: ").doesNotContain("\tat ");
        }
    }

    @Test
    void aMissingDirectoryIsAOneLineError() {
        assertThat(verify(directory.resolve("absent").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rewind: verify: " + directory.resolve("absent") + " is not a directory"
                + System.lineSeparator());
    }
}
