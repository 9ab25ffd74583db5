package io.endostream.contracts.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A model version: {@code {"name":"polyp-unet","version":"3"}} in JSON, {@code polyp-unet:3} as text. */
public record ModelRef(@JsonProperty("name") String name, @JsonProperty("version") String version) {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public ModelRef {
    }

    /** Parses {@code name:version} (split at the last colon). JSON also accepts this string form. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ModelRef parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("model reference must be name:version, was '" + text + "'");
        }
        return new ModelRef(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
