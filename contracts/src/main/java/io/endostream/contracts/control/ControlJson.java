package io.endostream.contracts.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.endostream.contracts.Json;
import io.endostream.contracts.ValidationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads and writes control-plane JSON values with the shared {@link Json#mapper()}. */
public final class ControlJson {

    private ControlJson() {
    }

    /** Compact UTF-8 JSON: the record value on a control topic. */
    public static byte[] write(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " JSON", e);
        }
    }

    /** Pretty-printed JSON text. */
    public static String pretty(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " JSON", e);
        }
    }

    /**
     * Parses a record value; a null value (tombstone) must be handled by the caller before.
     *
     * @throws ValidationException naming the type and where the JSON is wrong
     */
    public static <T> T read(byte[] json, Class<T> type) {
        String what = type.getSimpleName();
        if (json == null) {
            throw new ValidationException(what, List.of("the value is null (a tombstone), not a document"));
        }
        try {
            T value = Json.mapper().readValue(json, type);
            if (value == null) {
                throw new ValidationException(what, List.of("the document is empty or null"));
            }
            return value;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new ValidationException(what, List.of("not valid " + what + " JSON" + where + ": "
                    + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read JSON from memory", e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }
}
