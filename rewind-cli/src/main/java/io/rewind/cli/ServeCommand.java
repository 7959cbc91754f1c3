package io.rewind.cli;

import io.rewind.api.EventStore;
import io.rewind.api.EventStoreException;
import io.rewind.cluster.ClusterConfig;
import io.rewind.cluster.ClusterEventStore;
import io.rewind.cluster.ClusterTls;
import io.rewind.log.LogConfig;
import io.rewind.log.LogEventStore;
import io.rewind.log.Durability;
import io.rewind.http.HttpAccess;
import io.rewind.http.HttpConfig;
import io.rewind.http.RewindHttpServer;
import io.rewind.http.ServedGroups;
import io.rewind.log.io.FileIO;
import io.rewind.metrics.MeteredEventStore;
import io.rewind.metrics.MeteredFileIO;
import io.rewind.metrics.ServerMetrics;
import io.rewind.groups.GroupService;
import io.rewind.security.InsecureKeyFileException;
import io.rewind.security.KeyFilePermissions;
import io.rewind.groups.GroupServiceOptions;
import io.rewind.server.GroupServiceSource;
import io.rewind.server.LeaderGroupService;
import io.rewind.server.RewindServer;
import io.rewind.server.ServerConfig;
import io.rewind.stores.InvalidStoreUriException;
import io.rewind.stores.StoreUri;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rewind serve}: opens a store and serves it over ZeroMQ until SIGTERM or SIGINT, then
 * finishes the appends in flight, closes the server and the store, and exits 0.
 *
 * <p>Every setting can also come from the file given with {@code --config}; the command line wins.
 */
@Command(name = "serve", description = "Serve a store over ZeroMQ (Rewind and GoRewind protocols and Rewind's own)"
        + " and HTTP.",
        mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

    /** Closes the consumer groups: the server's, or a cluster node's leader-only ones. */
    private void closeGroups(GroupService groups) {
        if (groups != null) {
            groups.close();
        }
        if (leaderGroups != null) {
            leaderGroups.close();
        }
    }

    /** A cluster node's consumer groups, run while it leads (docs/GROUPS.md "On a cluster"); null elsewhere. */
    private LeaderGroupService leaderGroups;

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    static final String DEFAULT_STORE = "log:./data";
    static final String DEFAULT_COMMAND_ENDPOINT = "tcp://127.0.0.1:9002";
    static final String DEFAULT_STREAM_ENDPOINT = "tcp://127.0.0.1:9003";
    static final String DEFAULT_HTTP_ENDPOINT = HttpConfig.DEFAULT_ENDPOINT;
    static final String DEFAULT_STREAM = "default";
    static final String DEFAULT_FSYNC = "always";
    static final String DEFAULT_MAX_EVENT_SIZE = "16MiB";
    private static final Set<String> CONFIG_KEYS = union(Set.of("store", "command-endpoint", "stream-endpoint",
            "legacy-stream-endpoint", "http-endpoint", "default-stream", "fsync", "max-event-size",
            "curve-secret-key", "curve-clients", "grants", "legacy-endpoint", "insecure", "node", "cluster", "join",
            "raft-dir", "cluster-tls-key", "cluster-tls-cert", "cluster-ca"),
            HttpSecurityOptions.CONFIG_KEYS);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file with any of the settings below (keys without the dashes).")
    Path config;

    @Option(names = "--store", paramLabel = "URI",
            description = "The store: log:DIR, memory:, sqlite:FILE or postgresql://user:password@host:port/db"
                    + " (default: " + DEFAULT_STORE + ").")
    String store;

    @Option(names = "--command-endpoint", paramLabel = "ENDPOINT",
            description = "ROUTER socket for requests of every dialect (default: " + DEFAULT_COMMAND_ENDPOINT + ").")
    String commandEndpoint;

    @Option(names = "--stream-endpoint", paramLabel = "ENDPOINT",
            description = "PUB socket broadcasting [stream, id, data] (default: " + DEFAULT_STREAM_ENDPOINT + ").")
    String streamEndpoint;

    @Option(names = "--legacy-stream-endpoint", paramLabel = "ENDPOINT",
            description = "PUB socket broadcasting Rewind's [id, previous id, data] (default: off).")
    String legacyStreamEndpoint;

    @Option(names = "--http-endpoint", paramLabel = "HOST:PORT",
            description = "The HTTP API (docs/HTTP.md), or off (default: " + DEFAULT_HTTP_ENDPOINT + ").")
    String httpEndpoint;

    @Option(names = "--default-stream", paramLabel = "NAME",
            description = "The stream Rewind-dialect PUBLISH writes to (default: " + DEFAULT_STREAM + ").")
    String defaultStream;

    @Option(names = "--fsync", paramLabel = "MODE",
            description = "always (ack after fsync), interval:MS or never (default: " + DEFAULT_FSYNC + ").")
    String fsync;

    @Option(names = "--max-event-size", paramLabel = "SIZE",
            description = "Largest event (data + metadata) accepted (default: " + DEFAULT_MAX_EVENT_SIZE + ").")
    String maxEventSize;

    @Option(names = "--curve-secret-key", paramLabel = "FILE",
            description = "The server's CURVE secret certificate (rewind keys generate; mode 600): CURVE on the"
                    + " command and both PUB endpoints. Needs --curve-clients and --grants (docs/SECURITY.md).")
    Path curveSecretKey;

    @Option(names = "--curve-clients", paramLabel = "DIR",
            description = "Directory of accepted client public certificates (*.key), each naming its principal;"
                    + " rescanned every second.")
    Path curveClients;

    @Option(names = "--grants", paramLabel = "FILE",
            description = "Principals and their grants, one per line (docs/SECURITY.md); re-read every second.")
    Path grants;

    @Option(names = "--legacy-endpoint", paramLabel = "PRINCIPAL=COMMAND[,STREAM[,LEGACY_STREAM]]",
            description = "An extra plain endpoint for clients that cannot authenticate (the Rewind and GoRewind"
                    + " dialects, the legacy PUB), every request served as PRINCIPAL of --grants. Repeatable;"
                    + " in --config, separate several with spaces.")
    List<String> legacyEndpoints = new ArrayList<>();

    @Option(names = "--insecure",
            description = "Serve ZeroMQ and HTTP without authentication or encryption even on non-loopback addresses.")
    boolean insecure;

    @Mixin
    HttpSecurityOptions httpSecurity = new HttpSecurityOptions();

    @Option(names = "--node", paramLabel = "ID",
            description = "This node's id in --cluster: serve the store as one node of a replicated cluster"
                    + " (docs/CLUSTER.md).")
    String node;

    @Option(names = "--cluster", paramLabel = "ID=HOST:PORT,...",
            description = "Every node of the cluster (this one included) with its Raft address; needs --node"
                    + " and a log: store.")
    String cluster;

    @Option(names = "--join", paramLabel = "ID=HOST:PORT,...",
            description = "Instead of --cluster: start as a new node of a running cluster, with an empty Raft log,"
                    + " and wait to be added ('rewind cluster add ID HOST:PORT'); the members given (this one"
                    + " included) are whom it first sends appends to. A restart uses the configuration it learnt.")
    String join;

    @Option(names = "--raft-dir", paramLabel = "DIR",
            description = "Where this node keeps its Raft log (default: the log directory with .raft appended).")
    Path raftDir;

    @Option(names = "--cluster-tls-key", paramLabel = "FILE",
            description = "This node's private key (PEM, PKCS#8) for mutual TLS between the cluster's nodes; with"
                    + " --cluster-tls-cert and --cluster-ca (docs/SECURITY.md).")
    Path clusterTlsKey;

    @Option(names = "--cluster-tls-cert", paramLabel = "FILE",
            description = "This node's certificate (PEM), signed by the cluster CA, naming the host of its Raft"
                    + " address.")
    Path clusterTlsCert;

    @Option(names = "--cluster-ca", paramLabel = "FILE",
            description = "The cluster CA's certificate (PEM): only peers with a certificate it signed take part.")
    Path clusterCa;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        ConfigFile file = config == null ? ConfigFile.none() : ConfigFile.read(config, CONFIG_KEYS);
        StoreUri storeUri;
        Durability durability;
        try {
            storeUri = StoreUri.parse(file.resolve(store, "store", DEFAULT_STORE));
            String fsyncSetting = file.resolve(fsync, "fsync", DEFAULT_FSYNC);
            durability = StoreUri.parseFsync(fsyncSetting);
            storeUri.checkFsyncApplies(fsyncSetting);
        } catch (InvalidStoreUriException e) {
            throw new CliException(e.getMessage(), e);
        }
        long maxSize = Sizes.parse(file.resolve(maxEventSize, "max-event-size", DEFAULT_MAX_EVENT_SIZE),
                "--max-event-size");
        if (maxSize < 1 || maxSize > Integer.MAX_VALUE - 1024) {
            throw new CliException("--max-event-size: must be between 1 byte and 2 GiB, was " + maxSize);
        }
        ServerConfig serverConfig = ServerConfig.builder()
                .commandEndpoint(file.resolve(commandEndpoint, "command-endpoint", DEFAULT_COMMAND_ENDPOINT))
                .streamEndpoint(file.resolve(streamEndpoint, "stream-endpoint", DEFAULT_STREAM_ENDPOINT))
                .legacyStreamEndpoint(file.resolve(legacyStreamEndpoint, "legacy-stream-endpoint", null))
                .defaultStream(file.resolve(defaultStream, "default-stream", DEFAULT_STREAM))
                .maxEventSize((int) maxSize)
                .build();

        List<String> legacySpecs = legacyEndpoints.isEmpty()
                ? file.get("legacy-endpoint").map(v -> List.of(v.trim().split("\\s+"))).orElse(List.of())
                : legacyEndpoints;
        boolean insecureSetting = insecure || Boolean.parseBoolean(file.get("insecure").orElse("false"));
        String httpSetting = file.resolve(httpEndpoint, "http-endpoint", DEFAULT_HTTP_ENDPOINT);
        HttpConfig httpConfig = httpSetting.equals("off") ? null
                : httpConfig(httpSetting, (int) maxSize, httpSecurity.tls(file).orElse(null));
        if (httpConfig != null) {
            HttpSecurityOptions.checkSafe(httpConfig.host(), httpConfig.tls().isPresent(),
                    httpSecurity.tokens(file).isPresent(), insecureSetting);
        }
        ZeroMqSecurity security = ZeroMqSecurity.of(insecureSetting,
                path(curveSecretKey, file, "curve-secret-key"), path(curveClients, file, "curve-clients"),
                path(grants, file, "grants"), legacySpecs,
                httpConfig != null && httpSecurity.tokens(file).isPresent());
        HttpAccess httpAccess;
        try {
            // The HTTP API checks its tokens' principals against the same policy as ZeroMQ (one audit).
            httpAccess = httpConfig == null ? null : httpSecurity.access(file, security.policy()).orElse(null);
        } catch (RuntimeException e) {
            security.close();
            throw e;
        }

        ClusterConfig clusterConfig = clusterConfig(file, storeUri);
        ClusterTls clusterTls = clusterTls(file, clusterConfig, insecureSetting);

        ServerMetrics metrics = new ServerMetrics();
        FileIO files = new MeteredFileIO(FileIO.real(), metrics.registry());
        EventStore opened = clusterConfig == null ? openStore(storeUri, durability, (int) maxSize, files)
                : startNode(clusterConfig, clusterTls, joining, storeUri, durability, (int) maxSize, files);
        ClusterAdminAdapter clusterAdmin = opened instanceof ClusterEventStore node ? new ClusterAdminAdapter(node)
                : null;
        // Every server serves the metered store: the same store, its calls measured for /metrics.
        MeteredEventStore eventStore = new MeteredEventStore(opened, metrics.registry());
        metrics.watch(eventStore);
        storeUri.directory().ifPresent(metrics::watchDisk);
        security.policy().ifPresent(policy -> metrics.watch(policy.audit()));
        // Consumer groups (docs/GROUPS.md) live in the store's own system streams, on every store
        // kind. On a cluster node they run only while the node leads (one dispatcher for the
        // cluster); a follower refuses GROUP commands with NotLeaderException naming the leader.
        GroupService groups;
        if (opened instanceof ClusterEventStore node) {
            groups = null;
            leaderGroups = LeaderGroupService.start(eventStore, GroupServiceOptions.defaults(), node.config().nodeId(),
                    new LeaderGroupService.Leadership() {
                        @Override
                        public long leadingTerm() {
                            return node.leadingTerm();
                        }

                        @Override
                        public String leader() {
                            return node.leader().orElse(null);
                        }
                    });
            node.watchLeadership(leaderGroups::leadershipChanged);
            leaderGroups.leadershipChanged(); // a change before the watch was registered
        } else {
            try {
                groups = GroupService.open(eventStore, GroupServiceOptions.defaults());
            } catch (RuntimeException e) {
                eventStore.close();
                security.close();
                throw new CliException("cannot start the consumer groups: " + e.getMessage(), e);
            }
        }
        if (groups != null) {
            metrics.watch(groups); // per group lag, in-flight, retries, parked, consumers at /metrics
        } else if (leaderGroups != null) {
            // On a cluster node the groups' meters exist while this node leads and runs them.
            metrics.watchGroups(() -> {
                try {
                    return leaderGroups.current().metrics();
                } catch (RuntimeException notHere) {
                    return List.of();
                }
            });
        }
        GroupServiceSource served = leaderGroups != null ? leaderGroups
                : groups != null ? GroupServiceSource.of(groups) : GroupServiceSource.none();
        RewindServer server;
        List<RewindServer> legacyServers = new ArrayList<>();
        try {
            server = RewindServer.start(serverConfig, eventStore, security.main(), served);
        } catch (RuntimeException e) {
            closeGroups(groups);
            eventStore.close();
            security.close();
            throw new CliException("cannot start the server: " + e.getMessage(), e);
        }
        for (ZeroMqSecurity.LegacyEndpoint endpoint : security.legacyEndpoints()) {
            try {
                legacyServers.add(RewindServer.start(endpoint.config(serverConfig), eventStore, security.of(endpoint),
                        served));
            } catch (RuntimeException e) {
                legacyServers.forEach(RewindServer::close);
                server.close();
                closeGroups(groups);
                eventStore.close();
                security.close();
                throw new CliException("cannot start the legacy endpoint " + endpoint.commandEndpoint() + ": "
                        + e.getMessage(), e);
            }
        }
        RewindHttpServer http = null;
        if (httpConfig != null) {
            try {
                http = RewindHttpServer.start(httpConfig, eventStore, metrics::scrape, eventStore::openSubscriptions,
                        httpAccess, clusterAdmin, leaderGroups != null ? leaderGroups::current
                                : groups != null ? ServedGroups.of(groups) : null);
            } catch (RuntimeException e) {
                legacyServers.forEach(RewindServer::close);
                server.close();
                closeGroups(groups);
                eventStore.close();
                security.close();
                throw new CliException("cannot start the HTTP API: " + e.getMessage(), e);
            }
        }
        RewindHttpServer httpServer = http;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutDown(server, legacyServers, httpServer, groups, eventStore,
                security), "rewind-shutdown"));

        PrintWriter out = spec.commandLine().getOut();
        out.printf("Rewind is serving %s (%s, max event size %d bytes, default stream '%s')%n",
                storeUri, storeUri.durability(durability), maxSize, serverConfig.defaultStream());
        out.printf("  command endpoint        %s%n", server.commandEndpoint());
        out.printf("  stream endpoint         %s%n", server.streamEndpoint());
        out.printf("  legacy stream endpoint  %s%n", server.legacyStreamEndpoint().orElse("off"));
        out.printf("  http endpoint           %s%s%n", httpServer == null ? "off" : httpServer.uri() + "/",
                httpAccess == null ? "" : " (bearer tokens required)");
        out.printf("  zeromq security         %s%n", security.main());
        for (int i = 0; i < legacyServers.size(); i++) {
            out.printf("  legacy endpoint         %s as principal '%s'%n", legacyServers.get(i).commandEndpoint(),
                    security.legacyEndpoints().get(i).principal());
        }
        if (clusterConfig != null) {
            out.printf("  cluster node            %s (raft %s, %s %s)%n", clusterConfig.nodeId(),
                    clusterConfig.address(), joining ? "joining through" : "members", clusterConfig.members());
        }
        out.flush();
        stopped.await();
        return 0;
    }

    /** Whether this node joins a running cluster ({@code --join}); set by {@link #clusterConfig}. */
    private boolean joining;

    /** The cluster settings, or null when this server is not a cluster node. */
    private ClusterConfig clusterConfig(ConfigFile file, StoreUri storeUri) {
        String nodeId = file.resolve(node, "node", null);
        String clusterSetting = file.resolve(cluster, "cluster", null);
        String joinSetting = file.resolve(join, "join", null);
        if (clusterSetting != null && joinSetting != null) {
            throw new CliException("--join and --cluster: give one (--cluster to start a cluster's nodes, --join to"
                    + " add a node to a running cluster)");
        }
        joining = joinSetting != null;
        String option = joining ? "--join" : "--cluster";
        String members = joining ? joinSetting : clusterSetting;
        String raftSetting = file.resolve(raftDir == null ? null : raftDir.toString(), "raft-dir", null);
        if (nodeId == null && members == null) {
            if (raftSetting != null) {
                throw new CliException("--raft-dir: only a cluster node has a Raft log; give --node and --cluster");
            }
            return null;
        }
        if (nodeId == null || members == null) {
            throw new CliException(nodeId == null ? option + " needs --node: which of the members this server is"
                    : "--node needs --cluster (every member's id and Raft address) or --join");
        }
        Path directory = storeUri.kind() == StoreUri.Kind.LOG ? storeUri.directory().orElseThrow() : null;
        if (directory == null) {
            throw new CliException(option + ": only a log: store can be replicated, not " + storeUri);
        }
        Path raft = raftSetting != null ? Path.of(raftSetting)
                : directory.resolveSibling(directory.getFileName() + ".raft");
        try {
            return new ClusterConfig(nodeId, ClusterConfig.parseMembers(members), raft);
        } catch (IllegalArgumentException e) {
            throw new CliException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * The node's mutual TLS, or null: all three files or none; none only when every member is on
     * a loopback address or the operator passed --insecure, since Raft traffic carries every event.
     */
    private ClusterTls clusterTls(ConfigFile file, ClusterConfig clusterConfig, boolean insecureSetting) {
        String key = file.resolve(clusterTlsKey == null ? null : clusterTlsKey.toString(), "cluster-tls-key", null);
        String cert = file.resolve(clusterTlsCert == null ? null : clusterTlsCert.toString(), "cluster-tls-cert",
                null);
        String ca = file.resolve(clusterCa == null ? null : clusterCa.toString(), "cluster-ca", null);
        if (key == null && cert == null && ca == null) {
            if (clusterConfig != null && !insecureSetting) {
                for (Map.Entry<String, String> member : clusterConfig.members().entrySet()) {
                    String host = member.getValue().substring(0, member.getValue().lastIndexOf(':'));
                    if (!HttpSecurityOptions.isLoopback(host)) {
                        throw new CliException((joining ? "--join" : "--cluster") + ": member " + member.getKey()
                                + " is at " + member.getValue()
                                + ", not a loopback address, and cluster traffic has no TLS: give --cluster-tls-key,"
                                + " --cluster-tls-cert and --cluster-ca (docs/SECURITY.md), or --insecure to"
                                + " replicate in plain text");
                    }
                }
            }
            return null;
        }
        if (clusterConfig == null) {
            throw new CliException("--cluster-tls-key, --cluster-tls-cert and --cluster-ca are for a cluster node:"
                    + " give --node and --cluster (or --join)");
        }
        if (key == null || cert == null || ca == null) {
            List<String> missing = new ArrayList<>();
            if (key == null) {
                missing.add("--cluster-tls-key");
            }
            if (cert == null) {
                missing.add("--cluster-tls-cert");
            }
            if (ca == null) {
                missing.add("--cluster-ca");
            }
            throw new CliException("cluster TLS needs all of --cluster-tls-key, --cluster-tls-cert and --cluster-ca;"
                    + " missing: " + String.join(", ", missing));
        }
        ClusterTls tls;
        try {
            tls = new ClusterTls(Path.of(key), Path.of(cert), Path.of(ca));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        try {
            KeyFilePermissions.requireOwnerOnly(tls.privateKey(), "--cluster-tls-key");
        } catch (InsecureKeyFileException e) {
            throw new CliException(e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new CliException("--cluster-tls-key: cannot read the permissions of " + key + ": " + e.getMessage(),
                    e);
        }
        return tls;
    }

    private static EventStore startNode(ClusterConfig clusterConfig, ClusterTls tls, boolean join, StoreUri uri,
            Durability durability, int maxEventSize, FileIO files) {
        LogEventStore local;
        try {
            local = LogEventStore.open(LogConfig.builder(uri.directory().orElseThrow()).durability(durability)
                    .maxEventBytes(maxEventSize).fileIO(files).build());
        } catch (EventStoreException | java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new CliException("cannot open store " + uri + ": " + e.getMessage(), e);
        }
        try {
            return ClusterEventStore.start(clusterConfig, local, tls, join);
        } catch (EventStoreException e) {
            throw new CliException(e.getMessage(), e);
        }
    }


    private static Path path(Path commandLineValue, ConfigFile file, String key) {
        return commandLineValue != null ? commandLineValue : file.get(key).map(Path::of).orElse(null);
    }

    private static HttpConfig httpConfig(String endpoint, int maxEventSize, io.rewind.http.TlsConfig tls) {
        try {
            return HttpConfig.builder().endpoint(endpoint).maxEventBytes(maxEventSize).tls(tls)
                    .maxRequestBytes(Math.max(HttpConfig.DEFAULT_MAX_REQUEST_BYTES, 2L * maxEventSize + 1024 * 1024))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new java.util.HashSet<>(first);
        all.addAll(second);
        return Set.copyOf(all);
    }

    private static EventStore openStore(StoreUri uri, Durability durability, int maxEventSize, FileIO files) {
        try {
            return uri.open(durability, maxEventSize, files);
        } catch (EventStoreException | java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new CliException("cannot open store " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs in the JVM's shutdown hook on SIGTERM or SIGINT: the server finishes the appends in
     * flight and closes, then the store closes. The process then ends with status 0 (a signal would
     * otherwise leave 143 or 130), or 1 if closing failed.
     */
    private void shutDown(RewindServer server, List<RewindServer> legacyServers, RewindHttpServer http,
            GroupService groups, EventStore eventStore, ZeroMqSecurity security) {
        int status = 0;
        LOG.info("shutting down: finishing requests in flight");
        if (http != null) {
            http.close();
        }
        for (RewindServer legacy : legacyServers) {
            try {
                legacy.close();
            } catch (RuntimeException e) {
                LOG.error("closing a legacy endpoint failed", e);
                status = 1;
            }
        }
        try {
            server.close();
        } catch (RuntimeException e) {
            LOG.error("closing the server failed", e);
            status = 1;
        }
        try {
            closeGroups(groups); // writes the final checkpoints, so it goes before the store
        } catch (RuntimeException e) {
            LOG.error("closing the consumer groups failed", e);
            status = 1;
        }
        try {
            eventStore.close();
        } catch (RuntimeException e) {
            LOG.error("closing the store failed", e);
            status = 1;
        }
        security.close();
        LOG.info("stopped");
        stopped.countDown();
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }
}
