package io.rewind.cli;

import io.rewind.api.ExpectedVersion;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code --expected-version}: any, no-stream, stream-exists or a version number. Thread-safe. */
final class ExpectedVersionConverter implements ITypeConverter<ExpectedVersion> {

    @Override
    public ExpectedVersion convert(String value) {
        try {
            return ExpectedVersion.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
