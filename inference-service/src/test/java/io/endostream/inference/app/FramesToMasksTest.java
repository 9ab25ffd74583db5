package io.endostream.inference.app;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.MaskQuality;
import io.endostream.inference.support.ReferenceSegmenter;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as users see it, on a real broker with the fixture model: simulator frames in, masks out (quality,
 * order per stream, headers), health and metrics. All service test classes share one Quarkus start and broker.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class FramesToMasksTest {

    /**
     * The service's masks must be the model's own answer: on 24 simulator frames with polyps (seed 2, 320x256 like the
     * fixture's training data, JPEG q90) each mask is compared with {@link ReferenceSegmenter}, the manifest's recipe
     * done the plainest way on the same ONNX file. Unlike a Dice threshold fitted to one model, this does not drift
     * when the model changes. The service decodes JPEGs at reduced scale, so a few edge pixels may differ.
     */
    static final double MIN_AGREEMENT = 0.90;
    static final double MAX_DICE_DIFFERENCE = 0.10;

    @Test
    void simulatorFramesGetTheMasksTheModelItselfGives() throws Exception {
        String stream = "quality-room";
        int frames = 24;
        Map<String, Mat> truth = new HashMap<>();
        Map<String, Mat> reference = new HashMap<>();
        Path modelDir = Path.of(ConfigProvider.getConfig().getValue("endostream.inference.model.dir", String.class));
        try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES);
             EndoscopySimulator sim = new EndoscopySimulator(2, 320, 256);
             ReferenceSegmenter model = new ReferenceSegmenter(modelDir)) {
            // every 3rd frame (so the views differ), only those showing a polyp
            for (int i = 0, index = 0; i < frames; index += 3) {
                try (SimulatedFrame f = sim.frame(index)) {
                    if (f.polypCount() == 0) {
                        continue;
                    }
                    byte[] jpeg = f.jpeg(90);
                    RecordMetadata m = sender.send(FrameCodec.encode(new Frame(stream, stream + "-" + i, i,
                            System.currentTimeMillis(), ImageFormat.JPEG, 0, 0, jpeg)));
                    assertNotNull(m);
                    truth.put(stream + "-" + i, MaskQuality.decode(f.maskPng()));
                    reference.put(stream + "-" + i, model.segment(jpeg));
                    i++;
                }
            }
        }
        try (TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> records = masks.await(r -> stream.equals(TopicReader.key(r)), frames,
                    Duration.ofSeconds(60));
            assertEquals(frames, records.size(), "one mask per frame");
            double agreement = 0;
            double serviceDice = 0;
            double referenceDice = 0;
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Mask mask = MaskCodec.decode(r.key(), r.value(), TopicReader.headers(r));
                assertEquals(320, mask.width());
                assertEquals(256, mask.height());
                Mat predicted = MaskQuality.decode(mask.png());
                assertEquals(320, predicted.cols(), "mask PNG at the frame's resolution");
                Mat expected = reference.get(mask.frameId());
                double service = MaskQuality.dice(predicted, truth.get(mask.frameId()));
                double own = MaskQuality.dice(expected, truth.get(mask.frameId()));
                assertTrue(Math.abs(service - own) <= MAX_DICE_DIFFERENCE, mask.frameId() + ": Dice against the truth "
                        + service + " through the service, " + own + " from the model directly");
                agreement += MaskQuality.dice(predicted, expected);
                serviceDice += service;
                referenceDice += own;
                predicted.release();
            }
            System.out.printf("over %d simulator frames: service vs model-direct mask Dice %.3f; Dice against the "
                    + "truth %.3f through the service, %.3f from the model directly%n", frames, agreement / frames,
                    serviceDice / frames, referenceDice / frames);
            assertTrue(agreement / frames >= MIN_AGREEMENT, "service masks agree with the model's own masks: "
                    + agreement / frames);
            // Not vacuous: the fixture finds polyps (an untrained network of its shape scores 0.00 here).
            assertTrue(referenceDice / frames > 0.1, "the fixture segments the polyps: " + referenceDice / frames);
        } finally {
            truth.values().forEach(Mat::release);
            reference.values().forEach(Mat::release);
        }
    }

    @Test
    void masksOfEachStreamComeOutInFrameOrderWhileStreamsRunConcurrently() throws Exception {
        int streams = 4;
        int framesPerStream = 15;
        ExecutorService producers = Executors.newFixedThreadPool(streams);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                String stream = "order-room-" + s;
                long seed = 100 + s;
                sent.add(producers.submit(() -> {
                    try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES);
                         EndoscopySimulator sim = new EndoscopySimulator(seed, 320, 256)) {
                        for (int i = 0; i < framesPerStream; i++) {
                            try (SimulatedFrame f = sim.next()) {
                                // alternate big PNG and small JPEG so frames finish out of order inside the service
                                byte[] image = i % 2 == 0 ? f.png() : f.jpeg(60);
                                sender.send(FrameCodec.encode(new Frame(stream, stream + "-" + i, i,
                                        System.currentTimeMillis(), i % 2 == 0 ? ImageFormat.PNG : ImageFormat.JPEG,
                                        0, 0, image)));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            producers.shutdown();
        }
        try (TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> records = masks.await(r -> TopicReader.key(r).startsWith("order-room-"),
                    streams * framesPerStream, Duration.ofSeconds(90));
            assertEquals(streams * framesPerStream, records.size());
            Map<String, List<Long>> sequences = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                sequences.computeIfAbsent(TopicReader.key(r), k -> new ArrayList<>())
                        .add(Long.parseLong(TopicReader.header(r, RecordHeaders.SEQUENCE)));
            }
            for (Map.Entry<String, List<Long>> e : sequences.entrySet()) {
                List<Long> expected = new ArrayList<>();
                for (long i = 0; i < framesPerStream; i++) {
                    expected.add(i);
                }
                assertEquals(expected, e.getValue(), "mask order of " + e.getKey());
            }
        }
    }

    @Test
    void aFrameSentLikeKcatGetsAMaskWithTheDocumentedHeaders() {
        byte[] jpeg;
        try (EndoscopySimulator sim = new EndoscopySimulator(3, 320, 256); SimulatedFrame f = sim.next()) {
            jpeg = f.jpeg(85);
        }
        RecordMetadata sent;
        try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES)) {
            sent = sender.send("kcat-room", jpeg); // key + JPEG bytes, no headers at all
        }
        try (TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> records = masks.await(r -> "kcat-room".equals(TopicReader.key(r)), 1,
                    Duration.ofSeconds(30));
            assertEquals(1, records.size());
            ConsumerRecord<byte[], byte[]> r = records.get(0);
            String frameId = FrameCodec.defaultFrameId(Topics.FRAMES, sent.partition(), sent.offset());
            assertEquals("1.0", TopicReader.header(r, RecordHeaders.CE_SPECVERSION));
            assertEquals(RecordHeaders.MASK_TYPE, TopicReader.header(r, RecordHeaders.CE_TYPE));
            assertEquals("/endostream/kcat-room", TopicReader.header(r, RecordHeaders.CE_SOURCE));
            assertEquals("image/png", TopicReader.header(r, RecordHeaders.CONTENT_TYPE));
            assertEquals(frameId, TopicReader.header(r, RecordHeaders.FRAME_ID), "frame id defaults to topic-partition-offset");
            assertEquals(Long.toString(sent.offset()), TopicReader.header(r, RecordHeaders.SEQUENCE), "sequence defaults to the offset");
            assertEquals(Long.toString(sent.timestamp()), TopicReader.header(r, RecordHeaders.CAPTURE_TIME), "capture time defaults to the record timestamp");
            for (String h : List.of(RecordHeaders.CE_ID, RecordHeaders.CE_TIME, RecordHeaders.MODEL_NAME,
                    RecordHeaders.MODEL_VERSION, RecordHeaders.INFERENCE_MS, RecordHeaders.END_TO_END_MS,
                    RecordHeaders.POLYP_AREA, RecordHeaders.REGIONS)) {
                assertNotNull(TopicReader.header(r, h), "header " + h);
            }
            Mat png = MaskQuality.decode(r.value());
            assertEquals(320, png.cols());
            assertEquals(256, png.rows());
            png.release();
        }
    }

    @Test
    void cudaRequestedOnAMachineWithoutItFallsBackToCpuAndSaysSo() {
        // test config asks for provider=cuda; the CPU artifact of ONNX Runtime cannot add it
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("endostream_execution_provider{provider=\"cpu\"} 1.0"))
                .body(containsString("endostream_execution_provider{provider=\"cuda\"} 0.0"));
        given().get("/api/models").then().statusCode(200).body("[0].provider", equalTo("cpu"));
    }

    @Test
    void readyWhenTheModelIsWarmAndKafkaAnswers() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("model"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
