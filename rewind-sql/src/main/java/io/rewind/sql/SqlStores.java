package io.rewind.sql;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Opens a SQL store from the URI a user gives ({@code rewind serve --store URI}):
 * <ul>
 *   <li>{@code sqlite:FILE}: the SQLite database in FILE (a path; created if missing);</li>
 *   <li>{@code postgresql://[user[:password]@]host[:port][,host[:port]...]/database[?parameters]}
 *       (or {@code postgres://}): PostgreSQL, user and password percent-decoded, parameters passed to
 *       the JDBC driver; several hosts are tried in turn by the driver (with
 *       {@code targetServerType=primary}, until it finds the one that accepts writes: a highly
 *       available cluster, docs/SQL.md); a {@code currentSchema} parameter also makes the store keep its tables in
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
            throw new IllegalArgumentException("not a store URI Rewind's SQL stores know: '" + mask(uri)
                    + "' (use sqlite:FILE, postgresql://user:password@host:port/database or jdbc:postgresql:...)");
        }
        // java.net.URI takes one host only: the hosts of a multi-host URI (h1:p1,h2:p2, which the
        // JDBC driver tries in turn) are cut out and the rest is parsed with the first one in their place.
        int authorityStart = uri.indexOf("://") + 3;
        int authorityEnd = authorityEnd(uri, authorityStart);
        int at = uri.lastIndexOf('@', authorityEnd - 1);
        int hostsStart = at < authorityStart ? authorityStart : at + 1;
        List<String> hosts = List.of(uri.substring(hostsStart, authorityEnd).split(",", -1));
        URI parsed;
        try {
            parsed = new URI(uri.substring(0, hostsStart) + hosts.get(0) + uri.substring(authorityEnd));
            for (String host : hosts.subList(1, hosts.size())) {
                if (new URI("postgresql://" + host).getHost() == null) {
                    throw new URISyntaxException(host, "not a host[:port]");
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed PostgreSQL URI '" + mask(uri) + "': " + e.getReason(), e);
        }
        if (parsed.getHost() == null || parsed.getRawPath() == null || parsed.getRawPath().length() < 2) {
            throw new IllegalArgumentException("a PostgreSQL URI names host and database:"
                    + " postgresql://user:password@host:port/database, was '" + mask(uri) + "'");
        }
        StringBuilder jdbcUrl = new StringBuilder("jdbc:postgresql://").append(String.join(",", hosts));
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

    /** Where the authority (user information and hosts) that starts at {@code start} ends. */
    private static int authorityEnd(String uri, int start) {
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
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

    /**
     * The URI with every password it may carry replaced by {@code ***}, fit to print or log: the
     * password of the user information ({@code scheme://user:password@host}, also when the
     * password itself holds {@code @} or {@code :}) and the value of every {@code password}
     * parameter (any case), in any URI form. Everything else is kept, so a message still names the
     * host and database.
     */
    public static String mask(String uri) {
        if (uri == null) {
            return null;
        }
        String masked = maskUserInfo(uri);
        return maskPasswordParameters(masked);
    }

    private static String maskUserInfo(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int authorityStart = scheme + 3;
        int authorityEnd = uri.length();
        for (int i = authorityStart; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        int at = uri.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return uri;
        }
        int colon = uri.indexOf(':', authorityStart);
        if (colon < 0 || colon > at) {
            return uri;
        }
        return uri.substring(0, colon + 1) + "***" + uri.substring(at);
    }

    /** Masks the value of every query parameter whose name ends in "password" (password, sslpassword). */
    private static String maskPasswordParameters(String uri) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length()).append(uri, 0, question + 1);
        String[] pairs = uri.substring(question + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String pair = pairs[i];
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).toLowerCase(java.util.Locale.ROOT).endsWith("password")) {
                out.append(pair, 0, equals + 1).append("***");
            } else {
                out.append(pair);
            }
        }
        return out.toString();
    }
}
