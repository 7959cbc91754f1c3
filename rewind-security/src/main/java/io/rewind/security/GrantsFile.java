package io.rewind.security;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the grants file: which principals exist and what each may do. One principal per line, its
 * name and then its grants, separated by spaces or tabs; {@code #} starts a comment, blank lines
 * are ignored:
 *
 * <pre>
 * # name          grants
 * orders-service  read:orders-* write:orders-*
 * reporting       read:* read:$all
 * ops             admin read:* write:* read:$all
 * legacy-billing  write:invoices-*
 * </pre>
 *
 * Grants: {@code read:PATTERN} and {@code write:PATTERN}, where the pattern is {@code *} (every
 * stream), a prefix followed by {@code *} ({@code orders-*}) or an exact stream name
 * ({@code orders-7}); {@code read:$all} (the whole store in global order, and subscriptions to
 * every stream); {@code admin}. A principal with no grants is known (it authenticates) but may do
 * nothing. A principal's name appears on one line only. Stateless and thread-safe.
 */
public final class GrantsFile {

    private GrantsFile() {
    }

    /** The principals of the file at {@code path}, by name, in file order. */
    public static Map<String, Principal> read(Path path) throws IOException {
        return parse(Files.readAllBytes(path), path.toString());
    }

    /**
     * The principals of {@code content}; {@code source} names it in errors.
     *
     * @throws GrantsFileException naming the source, the line and what is wrong on it
     */
    public static Map<String, Principal> parse(byte[] content, String source) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new GrantsFileException(source, 0, "not UTF-8 text");
        }
        Map<String, Principal> principals = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = lines[i];
            int comment = line.indexOf('#');
            if (comment >= 0) {
                line = line.substring(0, comment);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            Principal principal = parseLine(line, source, lineNumber);
            if (principals.putIfAbsent(principal.name(), principal) != null) {
                throw new GrantsFileException(source, lineNumber,
                        "principal '" + principal.name() + "' is named on an earlier line too");
            }
        }
        return Collections.unmodifiableMap(principals);
    }

    private static Principal parseLine(String line, String source, int lineNumber) {
        String[] words = line.split("[ \t]+");
        String name = words[0];
        try {
            Principal.requireValidName(name);
        } catch (IllegalArgumentException e) {
            throw new GrantsFileException(source, lineNumber, e.getMessage());
        }
        List<StreamGrant> streams = new ArrayList<>();
        boolean readAll = false;
        boolean admin = false;
        for (int w = 1; w < words.length; w++) {
            String word = words[w];
            if (word.equals("admin")) {
                admin = true;
            } else if (word.equals("read:$all")) {
                readAll = true;
            } else if (word.startsWith("read:") || word.startsWith("write:")) {
                streams.add(streamGrant(word, source, lineNumber));
            } else {
                throw new GrantsFileException(source, lineNumber, "unknown grant '" + word
                        + "' (use read:PATTERN, write:PATTERN, read:$all or admin)");
            }
        }
        return new Principal(name, streams, readAll, admin);
    }

    private static StreamGrant streamGrant(String word, String source, int lineNumber) {
        int colon = word.indexOf(':');
        StreamGrant.Access access = word.startsWith("read:") ? StreamGrant.Access.READ : StreamGrant.Access.WRITE;
        String pattern = word.substring(colon + 1);
        if (pattern.startsWith("$")) {
            throw new GrantsFileException(source, lineNumber, "'" + word + "': only read:$all names $all, "
                    + "and stream patterns do not start with $");
        }
        try {
            return new StreamGrant(access, pattern);
        } catch (IllegalArgumentException e) {
            throw new GrantsFileException(source, lineNumber, "'" + word + "': " + e.getMessage());
        }
    }
}
