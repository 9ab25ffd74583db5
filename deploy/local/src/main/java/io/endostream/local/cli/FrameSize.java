package io.endostream.local.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A frame size written WIDTHxHEIGHT, e.g. 720x576. */
public record FrameSize(int width, int height) {

    public FrameSize {
        if (width < 32 || height < 32 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("frame size must be between 32x32 and 8192x8192, was "
                    + width + "x" + height);
        }
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }

    /** picocli converter for WIDTHxHEIGHT. */
    public static final class Converter implements ITypeConverter<FrameSize> {
        @Override
        public FrameSize convert(String value) {
            String[] parts = value.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                return new FrameSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected WIDTHxHEIGHT such as 720x576, got '" + value + "'");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
