package io.endostream.contracts.frame;

import java.util.Locale;
import java.util.Optional;

/** Frame value formats and their content types. */
public enum ImageFormat {
    JPEG("image/jpeg"),
    PNG("image/png"),
    /** Packed 8-bit B,G,R pixels, row-major, no padding; needs width and height headers. */
    RAW_BGR24("application/x-raw-bgr24");

    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The MIME type written in the {@code content-type} header. */
    public String contentType() {
        return contentType;
    }

    /** JPEG or PNG by magic bytes ({@code FF D8 FF} / {@code 89 50 4E 47 0D 0A 1A 0A}); raw frames cannot be sniffed. */
    public static Optional<ImageFormat> sniff(byte[] bytes) {
        if (startsWith(bytes, JPEG_MAGIC)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, PNG_MAGIC)) {
            return Optional.of(PNG);
        }
        return Optional.empty();
    }

    /**
     * The format for a content type, case-insensitive, parameters after {@code ;} ignored. {@code image/jpg} is
     * accepted as an alias of {@code image/jpeg} because some producers send it.
     */
    public static Optional<ImageFormat> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
        if (mime.equals("image/jpg")) {
            return Optional.of(JPEG);
        }
        for (ImageFormat format : values()) {
            if (format.contentType.equals(mime)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        if (bytes == null || bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (bytes[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
