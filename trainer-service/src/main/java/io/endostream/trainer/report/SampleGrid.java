package io.endostream.trainer.report;

import io.endostream.trainer.dataset.ImageFiles;
import io.endostream.trainer.dataset.OpenCvNatives;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

import java.nio.file.Path;
import java.util.List;

/**
 * A PNG grid of same-sized BGR tiles: one row per kind (e.g. input, target, prediction), one column per sample,
 * with the row's name written at its left.
 */
public final class SampleGrid {
    private static final int LABEL_WIDTH = 110;
    private static final int GAP = 4;

    private SampleGrid() {
    }

    /** A named row of BGR tiles (size x size x 3 bytes each). */
    public record Row(String name, List<byte[]> tiles) {
    }

    public static void write(Path png, int size, List<Row> rows) {
        OpenCvNatives.load();
        int cols = rows.stream().mapToInt(r -> r.tiles().size()).max().orElse(0);
        int width = LABEL_WIDTH + cols * (size + GAP);
        int height = rows.size() * (size + GAP) + GAP;
        Mat canvas = new Mat(height, width, CvType.CV_8UC3, new Scalar(40, 40, 40));
        try {
            for (int r = 0; r < rows.size(); r++) {
                int y = GAP + r * (size + GAP);
                Imgproc.putText(canvas, rows.get(r).name(), new Point(6, y + size / 2.0 + 5), Imgproc.FONT_HERSHEY_SIMPLEX,
                        0.45, new Scalar(235, 235, 235), 1, Imgproc.LINE_AA);
                List<byte[]> tiles = rows.get(r).tiles();
                for (int c = 0; c < tiles.size(); c++) {
                    Mat tile = ImageFiles.bgrMat(tiles.get(c), size);
                    Mat target = canvas.submat(new Rect(LABEL_WIDTH + c * (size + GAP), y, size, size));
                    tile.copyTo(target);
                    target.release();
                    tile.release();
                }
            }
            ImageFiles.write(png, canvas);
        } finally {
            canvas.release();
        }
    }

    /** A 0/1 mask as a white-on-black BGR tile. */
    public static byte[] maskTile(byte[] mask) {
        byte[] out = new byte[mask.length * 3];
        for (int i = 0; i < mask.length; i++) {
            byte v = mask[i] != 0 ? (byte) 255 : 0;
            out[i * 3] = v;
            out[i * 3 + 1] = v;
            out[i * 3 + 2] = v;
        }
        return out;
    }

    /** A probability map (0..1) as grey, with the thresholded contour hinted by full white. */
    public static byte[] probabilityTile(float[] probability) {
        byte[] out = new byte[probability.length * 3];
        for (int i = 0; i < probability.length; i++) {
            byte v = (byte) Math.round(Math.max(0, Math.min(1, probability[i])) * 255);
            out[i * 3] = v;
            out[i * 3 + 1] = v;
            out[i * 3 + 2] = v;
        }
        return out;
    }
}
