package io.rewind.sql;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens a SQL store from the URI a user gives ({@code rewind serve --store URI}):
 * <ul>
 *   <li>{@code sqlite:FILE}: the SQLite database in FILE (a path; created if missing);</li>
 *   <li>{@code postgresql://[user[:password]@]host[:port]/database[?parameters]} (or
 *       {@code postgres://}): PostgreSQL, user and password percent-decoded, parameters passed to
 *       the JDBC driver; a {@code currentSchema} parameter also makes the store keep its tables in
 *       that schema (created if missing);</li>
 *   <li>{@code jdbc:postgresql:...}: a PostgreSQL JDBC URL as the driver takes it
 *       ({@code user}, {@code password} as parameters).</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class SqlStores {

    private SqlStores() {
    }

    /** Whether {@code uri} names a SQL store, so that a caller can tell it from other stores' URIs. */
    public static boolean handles(String uri) {
        return uri.startsWith("sqlite:") || uri.startsWith("postgresql://") || uri.startsWith("postgres://")
                || uri.startsWith("jdbc:postgresql:");
    }

    /**
     * Opens the store {@code uri} names, accepting events of up to {@code maxEventBytes} of data and
     * metadata.
     *
     * @throws IllegalArgumentException if {@code uri} is not one of the forms above
     * @throws io.rewind.api.StoreUnavailableException if the database cannot be opened
     */
    public static SqlEventStore open(String uri, int maxEventBytes) {
        if (uri.startsWith("sqlite:")) {
            return SqliteEventStore.open(sqliteConfig(uri, maxEventBytes));
        }
        return PostgresEventStore.open(postgresConfig(uri, maxEventBytes));
    }

    /** The configuration {@code sqlite:FILE} names. */
    static SqliteConfig sqliteConfig(String uri, int maxEventBytes) {
        String file = uri.substring("sqlite:".length());
        if (file.isEmpty()) {
            throw new IllegalArgumentException("a SQLite store URI names its file: sqlite:FILE, was '" + uri + "'");
        }
        return SqliteConfig.builder(Path.of(file)).maxEventBytes(maxEventBytes).build();
    }

    /** The configuration a PostgreSQL URI names, in either form. */
    static PostgresConfig postgresConfig(String uri, int maxEventBytes) {
        if (uri.startsWith("jdbc:postgresql:")) {
            return PostgresConfig.builder(uri).schema(parameter(query(uri), "currentSchema").orElse(null))
                    .maxEventBytes(maxEventBytes).build();
        }
        if (!uri.startsWith("postgresql://") && !uri.startsWith("postgres://")) {
            throw new IllegalArgumentException("not a store URI Rewind's SQL stores know: '" + redact(uri)
                    + "' (use sqlite:FILE, postgresql://user:password@host:port/database or jdbc:postgresql:...)");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed PostgreSQL URI '" + redact(uri) + "': " + e.getReason(), e);
        }
        if (parsed.getHost() == null || parsed.getRawPath() == null || parsed.getRawPath().length() < 2) {
            throw new IllegalArgumentException("a PostgreSQL URI names host and database:"
                    + " postgresql://user:password@host:port/database, was '" + redact(uri) + "'");
        }
        StringBuilder jdbcUrl = new StringBuilder("jdbc:postgresql://").append(parsed.getHost());
        if (parsed.getPort() >= 0) {
            jdbcUrl.append(':').append(parsed.getPort());
        }
        jdbcUrl.append(parsed.getRawPath());
        if (parsed.getRawQuery() != null) {
            jdbcUrl.append('?').append(parsed.getRawQuery());
        }
        PostgresConfig.Builder config = PostgresConfig.builder(jdbcUrl.toString())
                .schema(parameter(parsed.getRawQuery(), "currentSchema").orElse(null))
                .maxEventBytes(maxEventBytes);
        String userInfo = parsed.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            config.user(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                config.password(decode(userInfo.substring(colon + 1)));
            }
        }
        return config.build();
    }

    private static String query(String url) {
        int question = url.indexOf('?');
        return question < 0 ? null : url.substring(question + 1);
    }

    private static Optional<String> parameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && decode(pair.substring(0, equals)).equals(name)) {
                return Optional.of(decode(pair.substring(equals + 1)));
            }
        }
        return Optional.empty();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URI without its user information and query, which may hold a password. */
    private static String redact(String uri) {
        String withoutQuery = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) + "?..." : uri;
        int at = withoutQuery.lastIndexOf('@');
        int scheme = withoutQuery.indexOf("://");
        return at > scheme && scheme >= 0 ? withoutQuery.substring(0, scheme + 3) + "...@" + withoutQuery.substring(at + 1)
                : withoutQuery;
    }
}
