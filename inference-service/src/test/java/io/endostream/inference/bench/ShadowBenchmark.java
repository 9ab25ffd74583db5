package io.endostream.inference.bench;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.model.ExecutionProvider;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.TelemetryRecorder;
import io.endostream.inference.shadow.KafkaShadowPublisher;
import io.endostream.inference.shadow.ShadowRunner;
import io.endostream.inference.shadow.ShadowSettings;
import io.endostream.inference.stream.FaultInjector;
import io.endostream.inference.stream.KafkaFrameConsumer;
import io.endostream.inference.stream.PipelineSettings;
import io.endostream.inference.support.PipelineHarness;
import io.endostream.inference.support.TestModels;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.micrometer.core.instrument.Counter;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Primary latency with and without a shadow running (issue #8: "it never delays the primary path (measure primary
 * p99 with and without a shadow running)"). One pipeline (Kafka -> pipeline -> Kafka, broker in this JVM) serves
 * {@code bench.streams} streams at {@code bench.fps} frames/s each; the plan alternates between stable alone and
 * stable shadowed on every stream by a second version (the fixture again, its own session), in rounds of equal
 * phases so that a change of machine load hits both modes alike. Latency = producer send to primary mask consumed.
 *
 * <pre>
 * java @/tmp/bench.args io.endostream.inference.bench.ShadowBenchmark [model dir] [WxH] [frames per phase] [rounds]
 *   -Dbench.streams=2 -Dbench.fps=12.5 -Dbench.maxQueued=4 -Dbench.maxShare=0.5 -Dbench.intraOp=1
 * </pre>
 */
public final class ShadowBenchmark {

    public static void main(String[] args) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread runner = new Thread(null, () -> {
            try {
                run(args);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "benchmark", 64L * 1024 * 1024); // ONNX Runtime may need more native stack than a launcher thread has
        runner.start();
        runner.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        Path modelDir = Path.of(args.length > 0 ? args[0] : "src/test/resources/models/polyp-fixture");
        String[] size = (args.length > 1 ? args[1] : "720x576").split("x");
        int width = Integer.parseInt(size[0]);
        int height = Integer.parseInt(size[1]);
        int perPhase = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int streams = Integer.getInteger("bench.streams", 2);
        double fps = Double.parseDouble(System.getProperty("bench.fps", "12.5"));
        int intraOp = Integer.getInteger("bench.intraOp", 1);
        ShadowSettings shadowSettings = ShadowSettings.defaults().withBudget(Integer.getInteger("bench.maxQueued", 4),
                Double.parseDouble(System.getProperty("bench.maxShare", "0.5")));
        io.endostream.inference.frame.OpenCv.load();
        System.out.printf("machine: %d cores, load average %.2f; %d streams x %.1f frames/s of %dx%d; %d rounds of "
                        + "%d frames per mode; intra-op %d; shadow budget %s%n",
                Runtime.getRuntime().availableProcessors(), load(), streams, fps, width, height, rounds, perPhase,
                intraOp, shadowSettings);

        List<byte[]> images = new ArrayList<>();
        try (EndoscopySimulator sim = new EndoscopySimulator(40, width, height)) {
            for (int i = 0; i < 16; i++) {
                try (SimulatedFrame f = sim.frame(76 + i * 5)) {
                    images.add(f.jpeg(90));
                }
            }
        }
        Path candidateDir = TestModels.copyAs(Files.createTempDirectory("shadow-bench"), "shadow-candidate", false);
        SessionSettings session = new SessionSettings(ExecutionProvider.CPU, 0, intraOp, false, 8, 2);
        PipelineSettings settings = PipelineSettings.defaults().withLossless(true);
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
            kafka.createTopics(4, Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ, Topics.MASKS_SHADOW);
            String bootstrap = kafka.bootstrapServers();
            TelemetryRecorder telemetry = new TelemetryRecorder();
            try (PipelineHarness harness = new PipelineHarness(bootstrap, modelDir, settings, session, Duration.ZERO);
                 KafkaShadowPublisher shadowPublisher = new KafkaShadowPublisher(bootstrap, Topics.MASKS_SHADOW);
                 KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                 KafkaConsumer<byte[], byte[]> masks = maskConsumer(bootstrap)) {
                LoadedModel candidate = LoadedModel.load(new ModelLoader(Path.of("target/model-cache"))
                        .fromDirectory(candidateDir), session, Duration.ZERO, n -> {
                });
                harness.registry.add(candidate);
                ModelRef stable = harness.registry.plan().stable();
                ShadowRunner shadows = new ShadowRunner(harness.registry, shadowPublisher, telemetry, harness.meters,
                        shadowSettings, Clock.systemUTC(), FaultInjector.NONE);
                harness.pipeline.shadowRunner(shadows);
                KafkaFrameConsumer consumer = harness.consume("bench-shadow");

                Map<String, Long> sentAt = new ConcurrentHashMap<>();
                Histogram[] current = {new Histogram(3)};
                AtomicInteger received = new AtomicInteger();
                java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread reader = new Thread(() -> {
                    while (reading.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : masks.poll(Duration.ofMillis(20))) {
                            long now = System.nanoTime();
                            Header id = r.headers().lastHeader(RecordHeaders.FRAME_ID);
                            Long sent = id == null ? null : sentAt.remove(new String(id.value(), StandardCharsets.UTF_8));
                            if (sent != null) {
                                synchronized (current) {
                                    current[0].recordValue(now - sent);
                                }
                                received.incrementAndGet();
                            }
                        }
                    }
                }, "mask-reader");
                masks.poll(Duration.ofMillis(500)); // join before sending
                reader.start();

                long revision = 1;
                Histogram alone = new Histogram(3);
                Histogram shadowed = new Histogram(3);
                int[] sequence = {0};
                // warm-up (JIT, broker, both sessions), both modes, not measured
                for (boolean withShadow : new boolean[]{true, false}) {
                    apply(harness, stable, withShadow ? candidate.ref() : null, revision++);
                    phase(producer, images, streams, fps, Math.max(100, perPhase / 3), sequence, sentAt, received);
                }
                for (int round = 0; round < rounds; round++) {
                    for (boolean withShadow : round % 2 == 0 ? new boolean[]{false, true} : new boolean[]{true, false}) {
                        apply(harness, stable, withShadow ? candidate.ref() : null, revision++);
                        synchronized (current) {
                            current[0] = new Histogram(3);
                        }
                        double ran = count(harness, "endostream.shadow.frames");
                        double dropped = count(harness, "endostream.shadow.dropped");
                        double loadBefore = load();
                        phase(producer, images, streams, fps, perPhase, sequence, sentAt, received);
                        Histogram h;
                        synchronized (current) {
                            h = current[0];
                        }
                        (withShadow ? shadowed : alone).add(h);
                        System.out.printf("round %d %-14s p50 %6.2f  p99 %7.2f  p99.9 %7.2f ms (%d masks; shadow ran %.0f,"
                                        + " dropped %.0f; load %.1f -> %.1f)%n", round, withShadow ? "WITH shadow" : "no shadow",
                                ms(h, 50), ms(h, 99), ms(h, 99.9), h.getTotalCount(),
                                count(harness, "endostream.shadow.frames") - ran,
                                count(harness, "endostream.shadow.dropped") - dropped, loadBefore, load());
                    }
                }
                reading.set(false);
                reader.join(5_000);
                consumer.stop(true);
                shadows.close();
                System.out.printf("ALL no shadow:   p50 %.2f p99 %.2f p99.9 %.2f ms over %d masks%n", ms(alone, 50),
                        ms(alone, 99), ms(alone, 99.9), alone.getTotalCount());
                System.out.printf("ALL WITH shadow: p50 %.2f p99 %.2f p99.9 %.2f ms over %d masks; p99 ratio %.2f%n",
                        ms(shadowed, 50), ms(shadowed, 99), ms(shadowed, 99.9), shadowed.getTotalCount(),
                        ms(shadowed, 99) / ms(alone, 99));
                telemetry.snapshot().forEach(v -> {
                    if (v.shadowFrames() > 0) {
                        System.out.printf("shadow %s: %d frames compared, %d dropped (budget), mean Dice %.4f%n",
                                v.model(), v.shadowFrames(), v.shadowDropped(), v.shadowDiceSum() / v.shadowFrames());
                    }
                });
                harness.meters.find("endostream.shadow.dropped").counters().forEach(c -> System.out.printf(
                        "  dropped %s: %.0f%n", c.getId().getTag("reason"), c.count()));
            }
        }
        System.out.printf("load average at the end: %.2f%n", load());
    }

    private static void apply(PipelineHarness harness, ModelRef stable, ModelRef shadow, long revision) {
        harness.registry.apply(new RolloutPlan(revision, stable, null, 0, Map.of(), shadow, shadow == null ? 0 : 100,
                Set.of(), Instant.now().toString(), "benchmark"));
    }

    /** Sends {@code frames} frames round-robin over the streams at the fixed rate, then waits for their masks. */
    private static void phase(KafkaProducer<byte[], byte[]> producer, List<byte[]> images, int streams, double fps,
                              int frames, int[] sequence, Map<String, Long> sentAt, AtomicInteger received)
            throws InterruptedException {
        int target = received.get() + frames;
        long period = (long) (1e9 / (fps * streams));
        long next = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            int seq = sequence[0]++;
            String stream = "bench-room-" + (seq % streams);
            String id = "f-" + seq;
            var record = FrameCodec.encode(new Frame(stream, id, seq / streams, System.currentTimeMillis(),
                    ImageFormat.JPEG, 0, 0, images.get(seq % images.size())));
            List<org.apache.kafka.common.header.Header> headers = new ArrayList<>();
            record.headers().forEach((k, v) -> headers.add(new RecordHeader(k, v)));
            sentAt.put(id, System.nanoTime());
            producer.send(new ProducerRecord<>(Topics.FRAMES, null, record.key(), record.value(), headers));
            next += period;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static double count(PipelineHarness harness, String name) {
        return harness.meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> maskConsumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-shadow-masks");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.MASKS));
        return consumer;
    }
}
