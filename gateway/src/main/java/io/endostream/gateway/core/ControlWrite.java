package io.endostream.gateway.core;

/** One record for a control topic: a null value is a tombstone. */
public record ControlWrite(String topic, String key, byte[] value) {
}
