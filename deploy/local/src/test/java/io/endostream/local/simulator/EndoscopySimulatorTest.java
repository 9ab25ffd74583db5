package io.endostream.local.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class EndoscopySimulatorTest {

    @Test
    void theSameSeedGivesTheSameVideoByteForByte() {
        try (EndoscopySimulator a = new EndoscopySimulator(99, 160, 128);
             EndoscopySimulator b = new EndoscopySimulator(99, 160, 128)) {
            for (int i = 0; i < 5; i++) {
                try (SimulatedFrame fa = a.next(); SimulatedFrame fb = b.next()) {
                    assertEquals(i, fa.index());
                    assertArrayEquals(fa.png(), fb.png(), "image of frame " + i);
                    assertArrayEquals(fa.maskPng(), fb.maskPng(), "mask of frame " + i);
                    assertEquals(fa.polypCount(), fb.polypCount());
                }
            }
        }
    }

    @Test
    void aFrameDependsOnlyOnItsIndexNotOnWhatWasRenderedBefore() {
        try (EndoscopySimulator played = new EndoscopySimulator(5, 160, 128);
             EndoscopySimulator jumped = new EndoscopySimulator(5, 160, 128)) {
            for (int i = 0; i < 3; i++) {
                played.next().close();
            }
            try (SimulatedFrame fourth = played.next(); SimulatedFrame direct = jumped.frame(3)) {
                assertArrayEquals(fourth.png(), direct.png());
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentVideos() {
        try (EndoscopySimulator a = new EndoscopySimulator(1, 160, 128);
             EndoscopySimulator b = new EndoscopySimulator(2, 160, 128);
             SimulatedFrame fa = a.next(); SimulatedFrame fb = b.next()) {
            assertFalse(Arrays.equals(fa.png(), fb.png()));
        }
    }

    @Test
    void framesAreBgrOfTheRequestedSizeWithABlackBorderAndALitMiddle() {
        try (EndoscopySimulator simulator = new EndoscopySimulator(3, 200, 160);
             SimulatedFrame frame = simulator.next()) {
            Mat image = frame.image();
            assertEquals(CvType.CV_8UC3, image.type());
            assertEquals(200, image.cols());
            assertEquals(160, image.rows());
            // The corners lie outside the circular field of view.
            assertArrayEquals(new double[] {0, 0, 0}, image.get(0, 0));
            assertArrayEquals(new double[] {0, 0, 0}, image.get(159, 199));
            Scalar mean = Core.mean(image);
            assertTrue(mean.val[2] > 40, "mucosa is lit, mean red " + mean.val[2]);
            assertTrue(mean.val[2] > mean.val[1] && mean.val[2] > mean.val[0], "mucosa is red-dominant: " + mean);
        }
    }

    @Test
    void masksAreBinaryAndNonEmptyExactlyWhenPolypsShow() {
        int withPolyps = 0;
        int without = 0;
        try (EndoscopySimulator simulator = new EndoscopySimulator(11, 160, 128)) {
            // Sample a minute of video, a frame every two seconds.
            for (int i = 0; i < 30; i++) {
                try (SimulatedFrame frame = simulator.frame(i * 50)) {
                    Mat mask = frame.mask();
                    assertEquals(CvType.CV_8UC1, mask.type());
                    assertEquals(160, mask.cols());
                    int nonZero = Core.countNonZero(mask);
                    Mat notBinary = new Mat();
                    Core.inRange(mask, new Scalar(1), new Scalar(254), notBinary);
                    assertEquals(0, Core.countNonZero(notBinary), "mask values are 0 or 255");
                    notBinary.release();
                    if (frame.polypCount() > 0) {
                        assertTrue(nonZero > 0, "frame " + frame.index() + " has polyps but an empty mask");
                        withPolyps++;
                    } else {
                        assertEquals(0, nonZero, "frame " + frame.index() + " has no polyp but a mask");
                        without++;
                    }
                }
            }
        }
        assertTrue(withPolyps > 0, "some frames show polyps");
        assertTrue(without > 0, "some frames show none");
    }

    @Test
    void encodedFormsDecodeBackToTheFrame() {
        try (EndoscopySimulator simulator = new EndoscopySimulator(4, 160, 128);
             SimulatedFrame frame = simulator.next()) {
            byte[] jpeg = frame.jpeg(90);
            assertEquals((byte) 0xFF, jpeg[0]);
            assertEquals((byte) 0xD8, jpeg[1]);
            Mat fromPng = Imgcodecs.imdecode(new MatOfByte(frame.png()), Imgcodecs.IMREAD_UNCHANGED);
            Mat diff = new Mat();
            Core.absdiff(fromPng, frame.image(), diff);
            assertEquals(0, Core.countNonZero(diff.reshape(1)), "PNG is lossless");
            Mat mask = Imgcodecs.imdecode(new MatOfByte(frame.maskPng()), Imgcodecs.IMREAD_UNCHANGED);
            assertEquals(CvType.CV_8UC1, mask.type());
            Core.absdiff(mask, frame.mask(), diff);
            assertEquals(0, Core.countNonZero(diff), "mask PNG is lossless");
            assertThrows(IllegalArgumentException.class, () -> frame.jpeg(0));
        }
    }

    @Test
    void rejectsTinyFrames() {
        assertThrows(IllegalArgumentException.class, () -> new EndoscopySimulator(1, 16, 128));
    }
}
