package io.endostream.contracts;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A Kafka record as the codecs see it, without kafka-clients: key, value and headers. Arrays are shared, never
 * copied (frames can be 16 MiB). Headers keep insertion order (a {@link java.util.LinkedHashMap}). When a Kafka record
 * repeats a header name, callers pass the last value (kafka-clients' {@code Headers.lastHeader}).
 */
public record WireRecord(byte[] key, byte[] value, Map<String, byte[]> headers) {

    /** The header's value decoded as UTF-8, or null when absent. */
    public String header(String name) {
        return headers == null ? null : Utf8.decodeOrNull(headers.get(name));
    }

    /** The key decoded as UTF-8, or null when absent. */
    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "WireRecord[key=" + keyString() + ", value=" + (value == null ? "null" : value.length + " bytes")
                + ", headers=" + (headers == null ? "{}" : headers.keySet()) + "]";
    }
}
