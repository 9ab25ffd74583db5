package io.endostream.trainer.dataset;

import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvasirSegDatasetTest {

    @TempDir
    Path dir;

    @Test
    void jpegAndPngMasksAreMatchedByBaseNameAndBinarised() {
        SyntheticPolyps.writeLabelled(dir.resolve("a"), 3, 1, 80, 60, "jpg");
        SyntheticPolyps.writeLabelled(dir.resolve("b"), 3, 2, 80, 60, "png");
        for (String sub : List.of("a", "b")) {
            KvasirSegDataset ds = KvasirSegDataset.open(dir.resolve(sub));
            assertEquals(3, ds.size());
            for (Sample s : KvasirSegDataset.load(ds.pairs(), 64)) {
                Set<Byte> values = new HashSet<>();
                for (byte b : s.mask()) {
                    values.add(b);
                }
                assertEquals(Set.of((byte) 0, (byte) 1), values, "JPEG mask noise must be binarised to 0/1 in " + sub);
            }
        }
    }

    @Test
    void imageWithoutMaskNamesTheImage() throws Exception {
        SyntheticPolyps.writeLabelled(dir, 3, 1, 64, 64, "png");
        Files.delete(dir.resolve("masks/img_0001.png"));
        DatasetException e = assertThrows(DatasetException.class, () -> KvasirSegDataset.open(dir));
        assertTrue(e.getMessage().contains("img_0001.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("no mask"), e.getMessage());
    }

    @Test
    void maskWithoutImageNamesTheMask() throws Exception {
        SyntheticPolyps.writeLabelled(dir, 2, 1, 64, 64, "png");
        Files.copy(dir.resolve("masks/img_0000.png"), dir.resolve("masks/stray.png"));
        DatasetException e = assertThrows(DatasetException.class, () -> KvasirSegDataset.open(dir));
        assertTrue(e.getMessage().contains("stray.png"), e.getMessage());
    }

    @Test
    void corruptImageNamesTheFile() throws Exception {
        SyntheticPolyps.writeLabelled(dir, 2, 1, 64, 64, "png");
        Files.write(dir.resolve("images/img_0001.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4});
        KvasirSegDataset ds = KvasirSegDataset.open(dir);
        DatasetException e = assertThrows(DatasetException.class, () -> KvasirSegDataset.load(ds.pairs(), 64));
        assertTrue(e.getMessage().contains("img_0001.jpg") && e.getMessage().contains("corrupt"), e.getMessage());
        assertEquals(dir.resolve("images/img_0001.jpg"), e.file());
    }

    @Test
    void maskOfAnotherSizeNamesTheMaskAndBothSizes() {
        SyntheticPolyps.writeLabelled(dir, 2, 1, 64, 48, "png");
        Mat wrong = new Mat(40, 40, CvType.CV_8UC1, new Scalar(0));
        Imgcodecs.imwrite(dir.resolve("masks/img_0000.png").toString(), wrong);
        wrong.release();
        KvasirSegDataset ds = KvasirSegDataset.open(dir);
        DatasetException e = assertThrows(DatasetException.class, () -> KvasirSegDataset.load(ds.pairs(), 32));
        assertTrue(e.getMessage().contains("img_0000.png") && e.getMessage().contains("40x40")
                && e.getMessage().contains("64x48"), e.getMessage());
    }

    @Test
    void testListIsHeldOutAndTheRestSplitsWithTheSeed() throws Exception {
        SyntheticPolyps.writeLabelled(dir, 10, 1, 32, 32, "png");
        Path list = dir.resolve("test.txt");
        Files.writeString(list, "# held out\nimg_0003.jpg\nimg_0007\n");
        DatasetSplit a = DatasetSplit.of(KvasirSegDataset.open(dir), 0.25, 7, list);
        DatasetSplit b = DatasetSplit.of(KvasirSegDataset.open(dir), 0.25, 7, list);
        assertEquals(List.of("img_0003", "img_0007"), a.test().stream().map(KvasirSegDataset.Pair::id).toList());
        assertEquals(2, a.validation().size());
        assertEquals(6, a.train().size());
        assertEquals(a, b, "same seed, same split");
        Files.writeString(list, "img_0099.jpg\n");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetSplit.of(KvasirSegDataset.open(dir), 0.25, 7, list));
        assertTrue(e.getMessage().contains("test.txt") && e.getMessage().contains("img_0099"), e.getMessage());
    }
}
