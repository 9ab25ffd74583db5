package io.endostream.inference.stream;

import io.endostream.contracts.mask.Region;

import java.util.List;

/** Caps {@code ce_regions}: the largest {@code max} regions of at least {@code minArea} pixels; the rest are counted. */
public final class RegionCap {

    private RegionCap() {
    }

    /** @param largestFirst regions sorted by area, largest first (as the postprocessor returns them) */
    public static List<Region> kept(List<Region> largestFirst, int max, long minArea) {
        int n = 0;
        while (n < largestFirst.size() && n < max && largestFirst.get(n).areaPixels() >= minArea) {
            n++;
        }
        return n == largestFirst.size() ? largestFirst : largestFirst.subList(0, n);
    }
}
