package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the shipped jar is made of (failsafe, after the shade step): no benchmark harness in it, and
 * no package of ours split over two modules (which a shaded jar would silently merge and a module
 * path would refuse).
 */
class PackagingIT {

    private static final Path JAR = Path.of("target", "rewind.jar");
    /** The build's root: this module's parent directory. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theRewindJarCarriesNoJmh() throws IOException {
        List<String> jmh = new ArrayList<>();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            Collections.list(jar.entries()).stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("org/openjdk/jmh/") || name.contains("/jmh_generated/")
                            || name.equals("META-INF/BenchmarkList"))
                    .forEach(jmh::add);
            // The jar is what ./rewind runs: it must still hold the load generator and the server.
            assertThat(jar.getEntry("io/rewind/bench/BenchCommand.class")).isNotNull();
            assertThat(jar.getEntry("io/rewind/server/RewindServer.class")).isNotNull();
        }
        assertThat(jmh).as("JMH classes in %s", JAR).isEmpty();
    }

    @Test
    void everyPackageOfOursLivesInOneModule() throws IOException {
        Map<String, Set<String>> modulesByPackage = new TreeMap<>();
        List<Path> classDirectories;
        try (Stream<Path> modules = Stream.concat(Files.list(ROOT), Files.list(ROOT.resolve("examples")))) {
            classDirectories = modules.map(module -> module.resolve("target").resolve("classes"))
                    .filter(Files::isDirectory).toList();
        }
        assertThat(classDirectories).as("modules built under %s", ROOT).hasSizeGreaterThan(8);
        for (Path classes : classDirectories) {
            String module = classes.getParent().getParent().getFileName().toString();
            try (Stream<Path> files = Files.walk(classes)) {
                files.filter(file -> file.toString().endsWith(".class"))
                        .map(file -> classes.relativize(file.getParent()).toString().replace('/', '.'))
                        .filter(pkg -> pkg.startsWith("io.rewind"))
                        .forEach(pkg -> modulesByPackage.computeIfAbsent(pkg, p -> new TreeSet<>()).add(module));
            }
        }
        Map<String, Set<String>> split = new TreeMap<>();
        modulesByPackage.forEach((pkg, modules) -> {
            if (modules.size() > 1) {
                split.put(pkg, modules);
            }
        });
        assertThat(modulesByPackage).containsKeys("io.rewind.api", "io.rewind.core", "io.rewind.log", "io.rewind.bench");
        assertThat(split).as("packages found in more than one module").isEmpty();
    }
}
