package io.rewind.cli;

import io.rewind.security.CurveCertificate;
import io.rewind.security.CurveKeys;
import io.rewind.security.Principal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rewind keys}: CURVE key pairs for the ZeroMQ endpoints (docs/SECURITY.md). */
@Command(name = "keys", description = "Manage CURVE keys for the ZeroMQ endpoints (docs/SECURITY.md).",
        mixinStandardHelpOptions = true, subcommands = KeysCommand.Generate.class)
final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code rewind keys generate NAME}: a new key pair as NAME.key and NAME.key_secret. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Write a new CURVE key pair in ZeroMQ's certificate format: NAME.key (the public "
                    + "certificate, to hand out) and NAME.key_secret (readable by you only). The metadata names "
                    + "principal NAME: put a client's NAME.key in the server's --curve-clients directory and "
                    + "NAME in its --grants file."})
    static final class Generate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME",
                description = "The principal the key authenticates as, and the files' name.")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
                description = "Where to write the two files (default: the current directory).")
        Path dir;

        @Override
        public Integer call() {
            try {
                Principal.requireValidName(name);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
            Path file = dir.resolve(name + ".key");
            CurveKeys keys = CurveKeys.generate();
            try {
                Files.createDirectories(dir);
                CurveCertificate.of(keys, name).writePair(file);
            } catch (IOException e) {
                throw new CliException("cannot write the key pair: " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("public key   %s%n", keys.publicKeyZ85());
            out.printf("certificate  %s%n", file);
            out.printf("secret       %s (mode 600: keep it to yourself)%n", CurveCertificate.secretFileOf(file));
            out.flush();
            return 0;
        }
    }
}
