package io.endostream.contracts.mask;

import java.util.List;
import java.util.Objects;

/**
 * The segmentation of one frame.
 *
 * @param png 1-bit grayscale PNG at the frame's resolution (white = polyp); shared, not copied
 */
public record Mask(String streamId, String frameId, long sequence, long captureTimeMillis, String modelName,
                   String modelVersion, double inferenceMillis, double endToEndMillis, double polypAreaFraction,
                   List<Region> regions, int width, int height, byte[] png) {

    public Mask {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(frameId, "frameId");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(png, "png");
        regions = regions == null ? List.of() : List.copyOf(regions);
    }

    @Override
    public String toString() {
        return "Mask[streamId=" + streamId + ", frameId=" + frameId + ", sequence=" + sequence
                + ", model=" + modelName + ":" + modelVersion + ", polypAreaFraction=" + polypAreaFraction
                + ", regions=" + regions.size() + ", " + width + "x" + height + ", png=" + png.length + " bytes]";
    }
}
