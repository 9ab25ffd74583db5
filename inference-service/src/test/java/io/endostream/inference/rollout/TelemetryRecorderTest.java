package io.endostream.inference.rollout;

import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.rollout.ModelRef;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The counters inference publishes as telemetry, and the shadow agreement measure. */
class TelemetryRecorderTest {

    static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    static final ModelRef V2 = new ModelRef("polyp-unet", "2");

    @Test
    void countsPerVersionWithALatencyHistogramAndShadowAgreement() {
        TelemetryRecorder r = new TelemetryRecorder();
        for (int i = 0; i < 98; i++) {
            r.mask(V1, 12);
        }
        r.mask(V1, 180);
        r.mask(V1, 180);
        r.deadLetter(V1);
        r.shadow(V2, 0.5, 0.25);
        r.shadow(V2, 1.0, 1.0);
        r.loadFailure(V2);
        InstanceTelemetry.VersionStats v1 = r.snapshot().stream().filter(s -> s.model().equals(V1)).findFirst().orElseThrow();
        assertEquals(101, v1.frames());
        assertEquals(100, v1.masks());
        assertEquals(1, v1.deadLetters());
        assertEquals(15.0, v1.p50Ms());
        assertEquals(200.0, v1.p99Ms());
        InstanceTelemetry.VersionStats v2 = r.snapshot().stream().filter(s -> s.model().equals(V2)).findFirst().orElseThrow();
        assertEquals(2, v2.shadowFrames());
        assertEquals(1.5, v2.shadowDiceSum());
        assertEquals(1, v2.loadFailures());
    }

    @Test
    void agreementIsDiceAndIouAndTwoEmptyMasksAgree() {
        byte[] a = {1, 1, 0, 0};
        byte[] b = {1, 0, 1, 0};
        assertArrayEquals(new double[]{0.5, 1.0 / 3}, TelemetryRecorder.agreement(a, b), 1e-12);
        assertArrayEquals(new double[]{1, 1}, TelemetryRecorder.agreement(new byte[4], new byte[4]));
        assertArrayEquals(new double[]{0, 0}, TelemetryRecorder.agreement(a, new byte[4]));
    }
}
