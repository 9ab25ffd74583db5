package io.endostream.local.simulator;

import java.nio.file.Path;

/**
 * Run by hand to look at the simulator. {@code OUT.png SEED COLUMNS WIDTH HEIGHT} writes a grid of seeds;
 * {@code OUT.png SEED COUNT WIDTH HEIGHT strip START STEP} writes frames of one video.
 */
public final class GridPreview {
    public static void main(String[] args) {
        Path out = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int count = Integer.parseInt(args[2]);
        int width = Integer.parseInt(args[3]);
        int height = Integer.parseInt(args[4]);
        if (args.length > 5 && args[5].equals("strip")) {
            SampleGrid.writeStrip(out, seed, Integer.parseInt(args[6]), Integer.parseInt(args[7]), count, width, height);
        } else {
            SampleGrid.write(out, seed, count, width, height, args.length > 5);
        }
    }
}
