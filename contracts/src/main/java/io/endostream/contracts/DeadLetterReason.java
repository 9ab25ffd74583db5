package io.endostream.contracts;

import java.util.Locale;
import java.util.Optional;

/** Why a frame went to the dead-letter topic. {@link #code()} is the header value and the metric tag. */
public enum DeadLetterReason {
    /** The record has no key (or an empty, blank or non-UTF-8 one): the stream id is unknown. */
    MISSING_KEY,
    /** The key is not a valid stream id ({@link StreamIds}): outside {@code A-Z a-z 0-9 . _ ~ -}, too long, or starting
     *  with a symbol. */
    INVALID_STREAM_ID,
    /** The record value is null or empty. */
    EMPTY_VALUE,
    /** The value exceeds the frame size limit ({@link Topics#MAX_FRAME_BYTES}). */
    TOO_LARGE,
    /** The content-type header names a type EndoStream does not accept. */
    UNSUPPORTED_CONTENT_TYPE,
    /** No content-type header and the bytes are neither JPEG nor PNG, or the declared JPEG/PNG lacks its signature. */
    UNRECOGNISED_IMAGE,
    /** The content-type header says one image type, the bytes are another. */
    CONTENT_TYPE_MISMATCH,
    /** A header is missing or unparsable; the detail names it. */
    BAD_HEADER,
    /** {@code ce_type} names another event type or a major version this reader does not know (e.g. {@code .v2}). */
    UNSUPPORTED_TYPE,
    /** A raw BGR24 value's length is not width x height x 3. */
    RAW_SIZE_MISMATCH,
    /** The image decoder failed on the bytes (truncated or corrupt image). */
    CORRUPT_IMAGE,
    /** The decoded image has more pixels than the service accepts. */
    TOO_MANY_PIXELS,
    /** Anything else that went wrong while processing the frame; the detail says what. */
    PROCESSING_FAILED;

    /** Lower-kebab code, e.g. {@code "missing-key"}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason whose {@link #code()} (or enum name) is {@code code}, case-insensitive. */
    public static Optional<DeadLetterReason> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        String normalised = code.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (DeadLetterReason reason : values()) {
            if (reason.name().equals(normalised)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
