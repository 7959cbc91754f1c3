package io.rewind.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A configuration file for a command: Java properties whose keys are the command's long option
 * names without the leading dashes ({@code store = log:/var/lib/rewind}). A key the command does
 * not know is an error, so a typo does not silently fall back to a default. Immutable.
 */
final class ConfigFile {

    private final Path file;
    private final Map<String, String> values;

    private ConfigFile(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    static ConfigFile none() {
        return new ConfigFile(null, Map.of());
    }

    /** Reads {@code file}, accepting only {@code knownKeys}. */
    static ConfigFile read(Path file, Set<String> knownKeys) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new CliException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!knownKeys.contains(key)) {
                throw new CliException("config file " + file + ": unknown key '" + key + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(knownKeys)) + ")");
            }
            values.put(key, properties.getProperty(key).trim());
        }
        return new ConfigFile(file, Map.copyOf(values));
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value given on the command line, else the one in this file, else {@code fallback}. */
    String resolve(String commandLineValue, String key, String fallback) {
        if (commandLineValue != null) {
            return commandLineValue;
        }
        return get(key).orElse(fallback);
    }

    @Override
    public String toString() {
        return file == null ? "no config file" : file.toString();
    }
}
