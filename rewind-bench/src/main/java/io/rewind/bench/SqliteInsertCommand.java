package io.rewind.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench sqlite-insert}: the baseline for the SQLite store, SQLite on its own. N threads,
 * each on its own connection to FILE, insert one row per transaction (auto-commit) into a table
 * shaped like the store's events table (integer key, stream, version, 16-byte id with a unique
 * index, type, time with an index, data, metadata), with the store's durability settings: WAL and
 * {@code synchronous=FULL}, so every commit fsyncs the WAL. Writers wait for SQLite's write lock
 * (busy timeout 10 s) as the store's would.
 */
@Command(name = "sqlite-insert", mixinStandardHelpOptions = true,
        description = "SQLite alone: single-row insert transactions from N connections, the SQLite store's durability.")
final class SqliteInsertCommand implements Callable<Integer> {

    private static final int BUSY_TIMEOUT_MS = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--file", paramLabel = "FILE", required = true,
            description = "The SQLite database file (created if missing; the table is emptied first).")
    Path file;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "1",
            description = "Connections, a thread each (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
            description = "Data bytes per row (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() throws Exception {
        Options.atLeast(spec, "--writers", writers, 1);
        Options.atLeast(spec, "--size", size, 0);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        try (Connection setup = connect(); Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS bench_events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL,"
                    + " version INTEGER NOT NULL, id BLOB NOT NULL UNIQUE, type TEXT NOT NULL,"
                    + " recorded_at INTEGER NOT NULL, data BLOB NOT NULL, metadata BLOB NOT NULL)");
            statement.execute("CREATE INDEX IF NOT EXISTS bench_events_time ON bench_events (recorded_at, position)");
            statement.execute("DELETE FROM bench_events");
        }
        Report report = new Report("sqlite-insert").text("file", file.toString()).count("writers", writers)
                .count("size", size);
        Progress progress = Progress.onTerminal("sqlite-insert", spec.commandLine().getErr());
        Phases phases = run.begin();
        LongAdder rows = new LongAdder();
        Latency latency = new Latency();
        LoadThreads threads = new LoadThreads();
        for (int w = 0; w < writers; w++) {
            String stream = AppendCommand.streamName(w);
            threads.start("bench-sqlite-" + w, () -> insertLoop(stream, phases, rows, latency, threads));
        }
        long before = phases.awaitMeasureStart(progress, rows::sum);
        long after = phases.awaitEnd(progress, rows::sum);
        threads.join("an insert");
        progress.done();
        double perSecond = (after - before) / phases.seconds();
        report.count("events", after - before).figure("events_per_s", perSecond);
        Latency.addPercentiles(report, latency.total());
        report.print(run.json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    private void insertLoop(String stream, Phases phases, LongAdder rows, Latency latency, LoadThreads threads) {
        byte[] data = new byte[size];
        new Random(42).nextBytes(data);
        try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO bench_events (stream, version, id, type, recorded_at, data, metadata)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            long version = 0;
            while (!threads.failed()) {
                long started = System.nanoTime();
                if (phases.over(started)) {
                    return;
                }
                UUID id = UUID.randomUUID();
                insert.setString(1, stream);
                insert.setLong(2, version++);
                insert.setBytes(3, java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                        .putLong(id.getLeastSignificantBits()).array());
                insert.setString(4, AppendCommand.EVENT_TYPE);
                insert.setLong(5, System.currentTimeMillis() * 1000);
                insert.setBytes(6, data);
                insert.setBytes(7, new byte[0]);
                insert.executeUpdate();
                long finished = System.nanoTime();
                rows.increment();
                if (phases.measuring(started)) {
                    latency.record(finished - started);
                }
            }
        } catch (SQLException e) {
            throw new BenchException("an insert into " + file + " failed: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        SQLiteConfig settings = new SQLiteConfig();
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        settings.setBusyTimeout(BUSY_TIMEOUT_MS);
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), settings.toProperties());
    }
}
