package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.memory.MemoryEventStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Without security configured, only loopback endpoints; --insecure (ServerSecurity.insecure()) overrides. */
class SafeDefaultsTest {

    @Test
    void loopbackEndpointsAreToldApartFromNetworkOnes() {
        assertThat(Endpoints.isLoopback("tcp://127.0.0.1:9002")).isTrue();
        assertThat(Endpoints.isLoopback("tcp://127.1.2.3:*")).isTrue();
        assertThat(Endpoints.isLoopback("tcp://localhost:9002")).isTrue();
        assertThat(Endpoints.isLoopback("tcp://[::1]:9002")).isTrue();
        assertThat(Endpoints.isLoopback("ipc:///tmp/rewind")).isTrue();
        assertThat(Endpoints.isLoopback("inproc://x")).isTrue();
        assertThat(Endpoints.isLoopback("tcp://*:9002")).isFalse();
        assertThat(Endpoints.isLoopback("tcp://0.0.0.0:9002")).isFalse();
        assertThat(Endpoints.isLoopback("tcp://10.0.0.5:9002")).isFalse();
        assertThat(Endpoints.isLoopback("tcp://eth0:9002")).isFalse();
        assertThat(Endpoints.isLoopback("tcp://[::]:9002")).isFalse();
        assertThat(Endpoints.isLoopback("tcp://127.0.0.1;10.0.0.5:9002")).isFalse();
        assertThat(Endpoints.isLoopback("epgm://eth0;239.192.1.1:5555")).isFalse();
    }

    @Test
    void aNonLoopbackEndpointWithoutSecurityRefusesToStartWithOneLineSayingHowToConfigureIt() {
        try (MemoryEventStore store = MemoryEventStore.create()) {
            for (ServerConfig config : new ServerConfig[] {
                    ServerConfig.builder().commandEndpoint("tcp://0.0.0.0:*").streamEndpoint("tcp://127.0.0.1:*").build(),
                    ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*").streamEndpoint("tcp://*:*").build(),
                    ServerConfig.builder().commandEndpoint("tcp://127.0.0.1:*").streamEndpoint("tcp://127.0.0.1:*")
                            .legacyStreamEndpoint("tcp://0.0.0.0:*").build()}) {
                assertThatThrownBy(() -> RewindServer.start(config, store))
                        .isInstanceOf(InsecureEndpointException.class)
                        .hasMessageContaining("on a non-loopback address without security: configure CURVE "
                                + "(--curve-secret-key, --curve-clients, --grants; see docs/SECURITY.md) or pass --insecure")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            }
        }
    }

    @Test
    void insecureServesANonLoopbackEndpointBecauseTheOperatorSaidSo() {
        try (MemoryEventStore store = MemoryEventStore.create();
                RewindServer server = RewindServer.start(ServerConfig.builder().commandEndpoint("tcp://0.0.0.0:*")
                        .streamEndpoint("tcp://127.0.0.1:*").linger(Duration.ofMillis(100)).build(), store,
                        ServerSecurity.insecure())) {
            assertThat(server.commandEndpoint()).startsWith("tcp://0.0.0.0:");
        }
    }
}
