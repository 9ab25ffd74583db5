package io.endostream.local.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

class SimulatedDatasetsTest {

    @Test
    void labelledSetsFollowTheKvasirSegLayout(@TempDir Path dir) throws IOException {
        SimulatedDatasets.writeLabelled(dir, 6, 7, 96, 80);
        List<String> images = names(dir.resolve("images"));
        List<String> masks = names(dir.resolve("masks"));
        assertEquals(List.of("frame_00000.jpg", "frame_00001.jpg", "frame_00002.jpg", "frame_00003.jpg",
                "frame_00004.jpg", "frame_00005.jpg"), images);
        assertEquals(images.stream().map(n -> n.replace(".jpg", ".png")).toList(), masks);
        int positives = 0;
        for (String name : images) {
            Mat image = Imgcodecs.imread(dir.resolve("images").resolve(name).toString(), Imgcodecs.IMREAD_COLOR);
            Mat mask = Imgcodecs.imread(dir.resolve("masks").resolve(name.replace(".jpg", ".png")).toString(),
                    Imgcodecs.IMREAD_UNCHANGED);
            assertEquals(96, image.cols());
            assertEquals(80, image.rows());
            assertEquals(CvType.CV_8UC1, mask.type(), "masks are single-channel");
            assertEquals(96, mask.cols());
            Mat grey = new Mat();
            Core.inRange(mask, new org.opencv.core.Scalar(1), new org.opencv.core.Scalar(254), grey);
            assertEquals(0, Core.countNonZero(grey), name + ": mask values are 0 or 255");
            positives += Core.countNonZero(mask) > 0 ? 1 : 0;
        }
        assertTrue(positives >= 4, "most labelled images show a polyp, got " + positives + "/6");
    }

    @Test
    void datasetsAreDeterministicFromTheSeed(@TempDir Path dir) throws IOException {
        SimulatedDatasets.writeUnlabelled(dir.resolve("a"), 3, 21, 64, 64);
        SimulatedDatasets.writeUnlabelled(dir.resolve("b"), 3, 21, 64, 64);
        assertEquals(List.of("frame_00000.jpg", "frame_00001.jpg", "frame_00002.jpg"), names(dir.resolve("a")));
        for (String name : names(dir.resolve("a"))) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(name)),
                    Files.readAllBytes(dir.resolve("b").resolve(name)), name);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
