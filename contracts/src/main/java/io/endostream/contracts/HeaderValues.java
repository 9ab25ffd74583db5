package io.endostream.contracts;

import java.math.BigDecimal;
import java.util.Map;

/** Reading and writing header values (UTF-8 decimal strings). Parse failures are {@link DeadLetterReason#BAD_HEADER}. */
public final class HeaderValues {

    private HeaderValues() {
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
