package io.endostream.trainer.dataset;

import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.videoio.VideoWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnlabelledSourcesTest {

    @TempDir
    Path dir;

    @Test
    void nearDuplicateGuardCatchesResizedReencodedCopiesThatThePixelHashMisses() throws Exception {
        Path labelled = dir.resolve("labelled-nd");
        SyntheticPolyps.writeLabelled(labelled, 6, 5, 96, 96, "png");
        DatasetSplit split = DatasetSplit.of(KvasirSegDataset.open(labelled), 0.5, 1, null);
        List<KvasirSegDataset.Pair> evaluation = split.evaluation();
        Path unlabelled = dir.resolve("frames-nd");
        SyntheticPolyps.writeUnlabelled(unlabelled, 5, 21, 96, 96);
        // an evaluation image shrunk to 2/3 and saved again as a low-quality JPEG: other pixels, same picture
        Mat decoded = Imgcodecs.imread(evaluation.get(0).image().toString());
        Mat small = new Mat();
        org.opencv.imgproc.Imgproc.resize(decoded, small, new Size(64, 64), 0, 0, org.opencv.imgproc.Imgproc.INTER_AREA);
        Imgcodecs.imwrite(unlabelled.resolve("resized-copy.jpg").toString(), small,
                new org.opencv.core.MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 60));
        var pixelHashes = new HashSet<>(KvasirSegDataset.pixelHashes(evaluation));

        UnlabelledSources.Loaded exactOnly = new UnlabelledSources(List.of(unlabelled), 1, 0).load(32, pixelHashes);
        assertEquals(6, exactOnly.samples().size(), "the pixel hash alone lets the resized copy through");

        UnlabelledSources.Loaded guarded = new UnlabelledSources(List.of(unlabelled), 1, 0)
                .withNearDuplicateGuard(KvasirSegDataset.signatures(evaluation)).load(32, pixelHashes);
        assertEquals(5, guarded.samples().size(), "unrelated frames stay");
        assertEquals(1, guarded.excludedAsNearDuplicate());
        assertTrue(guarded.excludedIds().get(0).endsWith("resized-copy.jpg"), guarded.excludedIds().toString());
    }

    @Test
    void leakageGuardExcludesAndCountsEvaluationImagesFoundInNestedFolders() throws Exception {
        Path labelled = dir.resolve("labelled");
        SyntheticPolyps.writeLabelled(labelled, 6, 3, 64, 64, "png");
        DatasetSplit split = DatasetSplit.of(KvasirSegDataset.open(labelled), 0.5, 1, null);
        List<KvasirSegDataset.Pair> evaluation = split.evaluation();
        assertEquals(3, evaluation.size());

        Path unlabelled = dir.resolve("kvasir-v2");
        SyntheticPolyps.writeUnlabelled(unlabelled.resolve("normal-cecum"), 4, 9, 64, 64);
        Files.createDirectories(unlabelled.resolve("polyps"));
        // one evaluation image copied byte for byte, one re-encoded losslessly as PNG (same pixels, other bytes)
        Files.copy(evaluation.get(0).image(), unlabelled.resolve("polyps/copy.jpg"));
        Mat decoded = Imgcodecs.imread(evaluation.get(1).image().toString());
        Imgcodecs.imwrite(unlabelled.resolve("polyps/reencoded.png").toString(), decoded);
        decoded.release();
        // a training image is fine to pretrain on
        Files.copy(split.train().get(0).image(), unlabelled.resolve("polyps/train-copy.jpg"));

        UnlabelledSources.Loaded loaded = new UnlabelledSources(List.of(unlabelled), 1, 0)
                .load(32, new HashSet<>(KvasirSegDataset.pixelHashes(evaluation)));

        assertEquals(7, loaded.imagesRead());
        assertEquals(2, loaded.excludedAsEvaluation());
        assertEquals(5, loaded.samples().size());
        assertTrue(loaded.excludedIds().stream().anyMatch(s -> s.endsWith("copy.jpg")));
        assertTrue(loaded.excludedIds().stream().anyMatch(s -> s.endsWith("reencoded.png")));
        assertFalse(loaded.samples().stream().anyMatch(s -> s.id().equals("copy.jpg")));
    }

    @Test
    void videoFramesAreSampledEveryNthFrame() {
        Path video = dir.resolve("clip.avi");
        VideoWriter writer = new VideoWriter(video.toString(), VideoWriter.fourcc('M', 'J', 'P', 'G'), 25, new Size(64, 48));
        assertTrue(writer.isOpened(), "OpenCV's built-in MJPEG AVI writer");
        Random r = new Random(1);
        for (int i = 0; i < 10; i++) {
            Mat mask = new Mat();
            Mat frame = SyntheticPolyps.image(r, 64, 48, mask);
            writer.write(frame);
            frame.release();
            mask.release();
        }
        writer.release();

        UnlabelledSources.Loaded loaded = new UnlabelledSources(List.of(dir), 3, 0).load(32, new HashSet<>());

        assertEquals(4, loaded.videoFramesRead()); // frames 0, 3, 6, 9
        assertEquals(List.of("clip.avi#0", "clip.avi#3", "clip.avi#6", "clip.avi#9"),
                loaded.samples().stream().map(Sample::id).toList());
    }

    @Test
    void unreadableVideoNamesTheFile() throws Exception {
        Files.write(dir.resolve("broken.mp4"), new byte[]{1, 2, 3, 4, 5});
        DatasetException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetException.class,
                () -> new UnlabelledSources(List.of(dir), 1, 0).load(32, new HashSet<>()));
        assertTrue(e.getMessage().contains("broken.mp4"), e.getMessage());
    }
}
