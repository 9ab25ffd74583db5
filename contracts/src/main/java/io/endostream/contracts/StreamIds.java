package io.endostream.contracts;

import java.util.regex.Pattern;

/**
 * The stream ids EndoStream accepts: 1-128 characters of {@code A-Z a-z 0-9 . _ ~ -}, the first a letter or digit.
 *
 * <p>Why so narrow: the id is the record key, the last segment of {@code ce_source} ({@code /endostream/<id>}) and the
 * input of the routing hash. URI "unreserved" characters keep {@code ce_source} a valid URI reference without escaping;
 * ASCII only makes the UTF-8 bytes (and so the hash and the partition) unambiguous, with no Unicode normalisation
 * question; a leading letter or digit excludes the dot segments {@code .} and {@code ..} and leaves names starting with
 * {@code _} free for EndoStream's own use ({@link #UNKNOWN_SOURCE}).
 */
public final class StreamIds {

    /** Longest stream id, in characters (= bytes: the set is ASCII). */
    public static final int MAX_LENGTH = 128;
    /** The rule as a regular expression (Java, Python {@code re.fullmatch} and POSIX ERE read it alike). */
    public static final String REGEX = "[A-Za-z0-9][A-Za-z0-9._~-]{0,127}";
    /** {@code ce_source} of a dead letter whose key is not a valid stream id; no valid id can produce it. */
    public static final String UNKNOWN_SOURCE = RecordHeaders.SOURCE_PREFIX + "_invalid";

    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private StreamIds() {
    }

    /** Whether {@code id} is a valid stream id. */
    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }

    /** {@code id}, or an IllegalArgumentException saying the rule (for encoders: never write what readers reject). */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException(describeInvalid(id));
        }
        return id;
    }

    /** Why {@code id} is not a valid stream id, in words for a dead letter's detail. */
    public static String describeInvalid(String id) {
        String shown = id == null ? "null" : id.length() > 64 ? "'" + id.substring(0, 64) + "…' (" + id.length()
                + " characters)" : "'" + id + "'";
        return "stream id " + shown + " is not 1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ ~ - starting with a"
                + " letter or digit";
    }

    /** {@code ce_source} for a stream: {@code /endostream/<id>}. */
    public static String source(String id) {
        return RecordHeaders.SOURCE_PREFIX + require(id);
    }
}
