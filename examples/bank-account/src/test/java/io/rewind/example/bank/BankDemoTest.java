package io.rewind.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.EventStore;
import io.rewind.client.RewindClient;
import io.rewind.memory.MemoryEventStore;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole demo, as its README runs it, against a Rewind server in this JVM over a memory store. */
class BankDemoTest {

    @TempDir
    Path temp;

    @Test
    void theDemoRetriesAConflictRefusesAnOverdraftAndItsProjectionSurvivesARestart() throws Exception {
        EventStore memory = MemoryEventStore.create();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BankDemo.Report report;
        try (RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*")
                        .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(100)).build(), memory);
                EventStore client = RewindClient.connect(server.commandEndpoint())) {
            report = new BankDemo(client, new PrintStream(printed, true, StandardCharsets.UTF_8))
                    .run(temp.resolve("balances.properties"));
        } finally {
            memory.close();
        }
        String output = printed.toString(StandardCharsets.UTF_8);

        assertThat(report.withdrawals()).extracting(AccountService.Outcome::attempts).containsExactly(1, 2);
        assertThat(report.withdrawals().get(1).conflicts()).hasSize(1);
        assertThat(report.refusal()).contains("insufficient funds", "balance 20.00, withdrawal 40.00");
        assertThat(report.balance()).isEqualTo(25_00);
        assertThat(report.projectedBalance()).isEqualTo(25_00);
        assertThat(report.resumedAfter()).isEqualTo(report.withdrawals().get(1).position());
        assertThat(report.appliedAfterRestart()).isEqualTo(1);
        assertThat(output).contains("met a conflict (expected version 1, the stream was at 2), reloaded and retried",
                "withdrawing 40.00 is refused", "projection restarted after position",
                "ok:    the read side agrees with the write side: 25.00, every event counted once");
    }
}
