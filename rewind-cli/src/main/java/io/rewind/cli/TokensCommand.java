package io.rewind.cli;

import io.rewind.http.SecurityConfigException;
import io.rewind.http.TokenFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rewind tokens add|list|revoke}: the bearer tokens of the HTTP API, kept as salted hashes
 * in the file {@code rewind serve --http-tokens} reads. {@code add} prints the new token once; a
 * running server sees an added or revoked token within {@code TokenAuthenticator.RELOAD_INTERVAL}.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Manage the HTTP API's bearer tokens (stored as salted hashes; see docs/SECURITY.md).")
final class TokensCommand {

    @Spec
    CommandSpec spec;

    @Option(names = "--file", paramLabel = "FILE", required = true, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The token file (the one given to 'rewind serve --http-tokens').")
    Path file;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Make a token for a principal and print it once (it is not stored, only its hash).")
    int add(@Parameters(paramLabel = "NAME", description = "A label for the token (who or what uses it).") String name,
            @Option(names = "--principal", paramLabel = "P", required = true,
                    description = "The principal of the grants file the token authenticates as.") String principal) {
        TokenFile.Issued issued;
        try {
            issued = TokenFile.add(file, name, principal);
        } catch (IllegalArgumentException | SecurityConfigException e) {
            throw new CliException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(issued.token());
        out.flush();
        spec.commandLine().getErr().printf("token %s for principal %s added to %s; it is shown only now%n",
                issued.entry().id(), principal, file);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens (never their secrets).")
    int list() {
        List<TokenFile.Entry> entries = read();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-12s  %-20s  %-24s  %s%n", "ID", "CREATED", "PRINCIPAL", "NAME");
        for (TokenFile.Entry entry : entries) {
            out.printf("%-12s  %-20s  %-24s  %s%n", entry.id(), entry.created(), entry.principal(), entry.name());
        }
        out.flush();
        return 0;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Remove a token; a running server refuses it within a second.")
    int revoke(@Parameters(paramLabel = "ID", description = "The token's id, as 'list' shows it.") String id) {
        boolean removed;
        try {
            removed = TokenFile.revoke(file, id);
        } catch (SecurityConfigException e) {
            throw new CliException(e.getMessage(), e);
        }
        if (!removed) {
            throw new CliException("no token with id '" + id + "' in " + file + " (see 'rewind tokens list')");
        }
        spec.commandLine().getErr().printf("token %s revoked%n", id);
        return 0;
    }

    private List<TokenFile.Entry> read() {
        try {
            return TokenFile.read(file);
        } catch (SecurityConfigException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
