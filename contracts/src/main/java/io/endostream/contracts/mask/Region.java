package io.endostream.contracts.mask;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One connected polyp region of a mask: bounding box in mask pixels and its area in pixels. JSON (in the
 * {@code ce_regions} header): {@code {"x":12,"y":40,"w":64,"h":48,"area":2301}}.
 */
@JsonPropertyOrder({"x", "y", "w", "h", "area"})
public record Region(@JsonProperty("x") int x,
                     @JsonProperty("y") int y,
                     @JsonProperty("w") int width,
                     @JsonProperty("h") int height,
                     @JsonProperty("area") long areaPixels) {
}
