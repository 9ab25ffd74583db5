package io.endostream.contracts;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading and writing header values (UTF-8 decimal strings). Parse failures are {@link DeadLetterReason#BAD_HEADER}. */
public final class HeaderValues {

    /** {@code io.endostream.<kind>.v<major>}: the shape of every EndoStream {@code ce_type}. */
    private static final Pattern VERSIONED_TYPE = Pattern.compile("(io\\.endostream\\..+)\\.v([0-9]+)");

    private HeaderValues() {
    }

    /**
     * Checks {@code ce_type} against the one type this reader understands (the versioning rule: a breaking change moves
     * the type to {@code .v2}; an unknown major version is rejected, never guessed at; optional additions keep the
     * type, and readers ignore headers they do not know).
     *
     * @param required whether an absent {@code ce_type} is an error (frames may omit it: key + image is a frame)
     * @throws MalformedRecordException UNSUPPORTED_TYPE naming what was found and what is understood, or BAD_HEADER
     *                                  when a required type is absent
     */
    public static void checkType(Map<String, byte[]> headers, String expected, boolean required) {
        String type = headers == null ? null : Utf8.decodeOrNull(headers.get(RecordHeaders.CE_TYPE));
        if (type == null) {
            if (required) {
                throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                        "header " + RecordHeaders.CE_TYPE + " is missing (expected " + expected + ")");
            }
            return;
        }
        if (type.trim().equals(expected)) {
            return;
        }
        Matcher found = VERSIONED_TYPE.matcher(type.trim());
        Matcher wanted = VERSIONED_TYPE.matcher(expected);
        if (found.matches() && wanted.matches() && found.group(1).equals(wanted.group(1))) {
            throw new MalformedRecordException(DeadLetterReason.UNSUPPORTED_TYPE, RecordHeaders.CE_TYPE + " '" + type
                    + "' is major version " + found.group(2) + "; this reader understands " + expected + " only");
        }
        throw new MalformedRecordException(DeadLetterReason.UNSUPPORTED_TYPE,
                RecordHeaders.CE_TYPE + " '" + type + "' is not " + expected);
    }

    /**
     * An RFC 3339 time ({@code 2026-11-27T07:30:00.250Z}, or with an offset such as {@code +01:00}) as epoch
     * milliseconds.
     */
    public static long requireRfc3339Millis(Map<String, byte[]> headers, String name) {
        String text = requireText(headers, name);
        try {
            return OffsetDateTime.parse(text.trim()).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                    "header " + name + " must be an RFC 3339 time such as 2026-11-27T07:30:00.250Z, was '" + text + "'");
        }
    }

    /** The header as UTF-8 text; a BAD_HEADER exception naming it when absent. */
    public static String requireText(Map<String, byte[]> headers, String name) {
        String text = headers == null ? null : Utf8.decodeOrNull(headers.get(name));
        if (text == null) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER, "header " + name + " is missing");
        }
        return text;
    }

    public static long requireLong(Map<String, byte[]> headers, String name) {
        String text = requireText(headers, name);
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                    "header " + name + " must be a decimal integer, was '" + text + "'");
        }
    }

    public static int requireInt(Map<String, byte[]> headers, String name) {
        String text = requireText(headers, name);
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                    "header " + name + " must be a decimal integer, was '" + text + "'");
        }
    }

    public static double requireDouble(Map<String, byte[]> headers, String name) {
        String text = requireText(headers, name);
        try {
            double value = Double.parseDouble(text.trim());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                "header " + name + " must be a finite decimal number, was '" + text + "'");
    }

    /**
     * A finite double as plain decimal text without exponent ({@code 0.0001}, {@code 12.5}, {@code 3}), readable by any
     * language's float parser and exact on the way back.
     */
    public static String formatDouble(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("header numbers must be finite, was " + value);
        }
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
