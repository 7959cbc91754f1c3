package io.rewind.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.Direction;
import io.rewind.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 10,000 requests of random shape against every route: random methods, mangled paths and query
 * parameters, bodies cut or corrupted from valid ones, random bytes. Every answer is a 2xx or a
 * 4xx problem (never a 5xx, never a dropped connection), the server keeps serving, and the store
 * holds exactly the events of the appends that were answered 200, nothing else.
 */
class HttpFuzzTest {

    private static final String[] TARGETS = {
        "/api/streams/s/events", "/api/append", "/api/all/events", "/api/streams", "/api/streams/s",
        "/api/events/0b4c9a5e-0000-4000-8000-000000000000", "/api/head", "/api/position", "/health", "/ready",
        "/openapi.json", "/api/streams/%2F/events", "/api", "/", "/api/streams/s/events/extra", "/api/all",
    };
    private static final String[] PARAMETERS = {
        "from", "direction", "limit", "encoding", "prefix", "after", "time", "x", "",
    };
    private static final String[] VALUES = {
        "0", "-1", "1", "end", "forward", "backward", "base64", "auto", "99999999999999999999", "%00", "%FF",
        "2026-01-01T00:00:00Z", "", "a%2Fb", "10000", "10001", "NaN",
    };
    private static final String[] BODIES = {
        "{\"events\":[{\"type\":\"t\",\"data\":{\"n\":1}}]}",
        "{\"expected_version\":\"no-stream\",\"events\":[{\"type\":\"t\",\"data_base64\":\"AAEC\"}]}",
        "{\"appends\":[{\"stream\":\"m\",\"events\":[{\"type\":\"t\",\"data\":[1,2,3]}]}],\"checks\":[{\"stream\":\"c\"}]}",
        "{\"events\":[{\"id\":\"0b4c9a5e-0000-4000-8000-000000000001\",\"type\":\"t\",\"data\":\"x\",\"metadata\":{}}]}",
    };

    @Test
    void tenThousandRandomRequestsGetA2xxOrA4xxAndStoreOnlyWhatWasAcknowledged() {
        try (HttpFixture http = new HttpFixture(HttpConfig.builder().port(0).maxRequestBytes(256 * 1024)
                .maxEventBytes(4096).build())) {
            Random random = new Random(20261202L);
            long acknowledgedEvents = 0;
            List<String> serverErrors = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                String method = pick(random, new String[] {"GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD"});
                String target = mangle(random, pick(random, TARGETS)) + query(random);
                byte[] body = method.equals("POST") || random.nextInt(10) == 0 ? body(random) : null;
                String type = pick(random, new String[] {"application/json", "application/json",
                    "application/octet-stream", "text/plain", null});
                HttpFixture.Answer answer;
                try {
                    answer = http.send(method, target, type, body);
                } catch (RuntimeException e) {
                    throw new AssertionError("request " + i + ": " + method + " " + target + " " + type + " body "
                            + (body == null ? "none" : new String(body, StandardCharsets.ISO_8859_1)), e);
                }
                if (answer.status() >= 500) {
                    serverErrors.add(method + " " + target + " -> " + answer.status() + " " + answer.body());
                }
                if (answer.status() == 200 && method.equals("POST")) {
                    acknowledgedEvents += count(answer.body(), "\"position\":");
                }
                if (answer.status() >= 400) {
                    assertThat(answer.isProblem()).as(method + " " + target + ": " + answer.status() + " "
                            + answer.contentType()).isTrue();
                }
            }
            assertThat(serverErrors).isEmpty();
            assertThat(http.get("/health").status()).isEqualTo(200);
            List<RecordedEvent> stored = new ArrayList<>();
            List<RecordedEvent> page;
            while (!(page = http.store.readAll(stored.size(), Direction.FORWARD, 1000)).isEmpty()) {
                stored.addAll(page);
            }
            assertThat(stored).as("stored events").hasSize((int) acknowledgedEvents);
            assertThat(acknowledgedEvents).as("some appends were valid, so the fuzz reached the store").isPositive();
        }
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String mangle(Random random, String target) {
        return switch (random.nextInt(8)) {
            case 0 -> target + "/";
            case 1 -> target.replace("s", "%E2%82%AC");
            case 2 -> target.replace("/s", "/" + "x".repeat(300));
            case 3 -> target.replace("events", "%65vents");
            default -> target;
        };
    }

    private static String query(Random random) {
        int count = random.nextInt(4);
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < count; i++) {
            query.append(i == 0 ? '?' : '&').append(pick(random, PARAMETERS)).append('=').append(pick(random, VALUES));
        }
        return query.toString();
    }

    private static byte[] body(Random random) {
        byte[] valid = pick(random, BODIES).getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(6)) {
            case 0:
                return valid;
            case 1: {
                byte[] cut = new byte[random.nextInt(valid.length)];
                System.arraycopy(valid, 0, cut, 0, cut.length);
                return cut;
            }
            case 2: {
                byte[] flipped = valid.clone();
                for (int i = 0; i < 3; i++) {
                    flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
                }
                return flipped;
            }
            case 3: {
                byte[] noise = new byte[random.nextInt(512)];
                random.nextBytes(noise);
                return noise;
            }
            case 4:
                return ("{\"events\":[{\"type\":\"t\",\"data\":\"" + "y".repeat(5000) + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
            default:
                return new byte[0];
        }
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
