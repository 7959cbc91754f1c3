package io.rewind.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        ClientConfig config = ClientConfig.builder().build();

        assertThat(config.endpoint()).isEqualTo("tcp://127.0.0.1:9002");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.subscriptionCreditWindow()).isEqualTo(256);
        assertThat(config.reconnectBackoffMin()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everySettingIsKept() {
        ClientConfig config = ClientConfig.builder()
                .endpoint("tcp://example:1")
                .connectTimeout(Duration.ofMillis(1))
                .requestTimeout(Duration.ofMillis(2))
                .subscriptionCreditWindow(3)
                .reconnectBackoff(Duration.ofMillis(4), Duration.ofMillis(5))
                .heartbeat(Duration.ofMillis(6), Duration.ofMillis(12))
                .build();

        assertThat(config.endpoint()).isEqualTo("tcp://example:1");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2));
        assertThat(config.subscriptionCreditWindow()).isEqualTo(3);
        assertThat(config.reconnectBackoffMin()).isEqualTo(Duration.ofMillis(4));
        assertThat(config.reconnectBackoffMax()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(6));
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofMillis(12));
    }

    @Test
    void nonsenseIsRefusedNamingTheSetting() {
        ClientConfig.Builder builder = ClientConfig.builder();

        assertThatThrownBy(() -> builder.endpoint(" ")).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ofSeconds(-1))).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> builder.subscriptionCreditWindow(0)).hasMessageContaining("subscriptionCreditWindow");
        assertThatThrownBy(() -> builder.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> builder.heartbeat(Duration.ofSeconds(1), Duration.ofMillis(1500)))
                .hasMessageContaining("twice");
    }

    @Test
    void aMalformedEndpointIsRefusedWhenConnecting() {
        assertThatThrownBy(() -> RewindClient.connect("not-an-endpoint"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-an-endpoint");
    }
}
