package io.endostream.inference.bench;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.inference.metrics.Stage;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SegmentationModel;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.stream.KafkaFrameConsumer;
import io.endostream.inference.stream.PipelineSettings;
import io.endostream.inference.support.PipelineHarness;
import io.endostream.local.Native;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.micrometer.core.instrument.Timer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Hand-run benchmark (not a test): pipeline efficiency and added latency on a real in-process broker.
 *
 * <pre>
 * ./mvnw -B -q -o -pl inference-service test-compile
 * ./mvnw -B -q -o -pl inference-service exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.endostream.inference.bench.PipelineBenchmark \
 *     -Dexec.args="src/test/resources/models/polyp-fixture 720x576 600"
 * </pre>
 * Arguments: model folder, frame size, frames for the throughput run (default 600); the latency run sends
 * {@code max(1000, frames)} frames of one stream at half the measured capacity.
 *
 * <ol>
 *   <li>ONNX Runtime alone: the model with pre-filled inputs, 1 and 2 intra-op threads, batch 1 and max batch;
 *       the best frames/s is the denominator. Model-only latency p50/p99/p99.9 at batch 1.</li>
 *   <li>Pipeline throughput: frames (JPEG q90, simulator) of 8 streams already on {@code endoscopy.frames}; a
 *       consumer + pipeline + producer process them all (lossless); frames/s = frames / time to the last broker
 *       ack. Efficiency = pipeline frames/s / ONNX Runtime frames/s.</li>
 *   <li>Added latency: one stream at half capacity; end to end = producer send to mask consumed (both ends in
 *       this JVM, nanoTime), minus the model-only latency, p50/p99/p99.9.</li>
 *   <li>Per-stage cost: mean wall time per frame of each stage during the latency run (no contention, so
 *       close to CPU time), and process CPU time per frame during the throughput run.</li>
 * </ol>
 */
public final class PipelineBenchmark {

    private static final int STREAMS = 8;

    public static void main(String[] args) throws Exception {
        // ONNX Runtime may need more native stack than a launcher thread offers
        Throwable[] failure = new Throwable[1];
        Thread runner = new Thread(null, () -> {
            try {
                run(args);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "benchmark", 64L * 1024 * 1024);
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
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 600;
        int intraOp = Integer.parseInt(System.getProperty("bench.intraOp", "1"));
        int codecThreads = Integer.parseInt(System.getProperty("bench.codecThreads", "2"));
        int maxBatch = Integer.parseInt(System.getProperty("bench.maxBatch", "8"));
        io.endostream.inference.frame.OpenCv.load();
        System.out.printf("machine: %d cores, load average %.2f; frames %dx%d; pipeline intra-op %d, codec threads %d, max batch %d%n",
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                width, height, intraOp, codecThreads, maxBatch);

        // ---- 1. ONNX Runtime alone ----
        double best = 0;
        String bestSetting = "";
        Histogram modelLatency = null;
        for (int threads : new int[]{1, 2}) {
            try (SegmentationModel model = SegmentationModel.open(new ModelLoader(Path.of("target/model-cache"))
                    .fromDirectory(modelDir), new SessionSettings(io.endostream.inference.model.ExecutionProvider.CPU,
                    0, threads, false, maxBatch, 3))) {
                for (int batch : new int[]{1, model.maxBatch()}) {
                    long runs = Math.max(50, 400 / batch);
                    long start = System.nanoTime();
                    Histogram h = new Histogram(3);
                    for (int i = 0; i < runs; i++) {
                        long t = System.nanoTime();
                        model.run(batch);
                        h.recordValue(System.nanoTime() - t);
                    }
                    double fps = runs * batch / ((System.nanoTime() - start) / 1e9);
                    System.out.printf("ORT alone: intra-op %d, batch %d: %.1f frames/s (p50 %.2f ms per batch)%n",
                            threads, batch, fps, h.getValueAtPercentile(50) / 1e6);
                    if (fps > best) {
                        best = fps;
                        bestSetting = "intra-op " + threads + ", batch " + batch;
                    }
                }
                if (threads == intraOp) {
                    modelLatency = new Histogram(3);
                    for (int i = 0; i < 1000; i++) {
                        long t = System.nanoTime();
                        model.run(1);
                        modelLatency.recordValue(System.nanoTime() - t);
                    }
                }
            }
        }
        System.out.printf("ORT alone best: %.1f frames/s (%s)%n", best, bestSetting);
        double ortCpuPerFrame;
        try (SegmentationModel model = SegmentationModel.open(new ModelLoader(Path.of("target/model-cache"))
                .fromDirectory(modelDir), new SessionSettings(io.endostream.inference.model.ExecutionProvider.CPU,
                0, 1, false, 1, 3))) {
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < 300; i++) {
                model.run(1);
            }
            ortCpuPerFrame = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / 300;
            System.out.printf("ORT alone CPU per frame (1 thread, batch 1): %.2f ms%n", ortCpuPerFrame);
        }

        List<byte[]> images = new ArrayList<>();
        try (EndoscopySimulator sim = new EndoscopySimulator(40, width, height)) {
            for (int i = 0; i < 16; i++) {
                try (SimulatedFrame f = sim.frame(76 + i * 5)) {
                    images.add(f.jpeg(90));
                }
            }
        }
        System.out.printf("frame JPEG size ~%d KB%n", images.get(0).length / 1024);
        codecCpu(modelDir, images, width, height);

        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
            kafka.createTopics(4, Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ);
            String bootstrap = kafka.bootstrapServers();
            awaitLeaders(kafka, Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ);
            SessionSettings session = new SessionSettings(io.endostream.inference.model.ExecutionProvider.CPU, 0,
                    intraOp, false, maxBatch, 2);
            PipelineSettings settings = PipelineSettings.defaults().withLossless(true).withCodecThreads(codecThreads);
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                // ---- 2. throughput: a backlog of frames of 8 streams ----
                int warmUp = 150; // JIT and broker warm-up, not measured
                List<java.util.concurrent.Future<?>> backlog = new ArrayList<>();
                for (int i = 0; i < warmUp + frames; i++) {
                    String stream = "bench-" + (i % STREAMS);
                    backlog.add(producer.send(new ProducerRecord<>(Topics.FRAMES, stream.getBytes(StandardCharsets.UTF_8),
                            images.get(i % images.size()))));
                }
                for (java.util.concurrent.Future<?> f : backlog) {
                    f.get(120, TimeUnit.SECONDS);
                }
                System.out.printf("%d frames on the topic%n", frames);
                double capacity;
                try (PipelineHarness harness = new PipelineHarness(bootstrap, modelDir, settings, session, Duration.ZERO)) {
                    KafkaFrameConsumer consumer = harness.consume("bench-throughput");
                    while (masksOut(harness) < warmUp) {
                        Thread.sleep(5);
                    }
                    Map<String, Long> threadsBefore = threadCpu();
                    long cpuBefore = processCpuNanos();
                    long start = System.nanoTime();
                    while (masksOut(harness) < warmUp + frames) {
                        Thread.sleep(5);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long cpu = processCpuNanos() - cpuBefore;
                    Map<String, Long> threadsAfter = threadCpu();
                    Map<String, Long> byGroup = new java.util.TreeMap<>();
                    threadsAfter.forEach((name, t) -> byGroup.merge(name.replaceAll("[-#]?[0-9]+$", "").replaceAll("-[0-9]+-", "-"),
                            t - threadsBefore.getOrDefault(name, 0L), Long::sum));
                    long javaThreads = byGroup.values().stream().mapToLong(Long::longValue).sum();
                    System.out.println("CPU per frame by thread group (measured window):");
                    byGroup.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(12)
                            .forEach(e -> System.out.printf("  %-60s %.3f ms%n", e.getKey(), e.getValue() / 1e6 / frames));
                    System.out.printf("  %-60s %.3f ms%n", "(not Java threads: GC, JIT, native)", (cpu - javaThreads) / 1e6 / frames);
                    consumer.stop(true);
                    capacity = frames / seconds;
                    System.out.printf("pipeline (Kafka -> pipeline -> Kafka, %d streams): %d frames in %.2f s = %.1f frames/s; "
                                    + "process CPU %.2f ms/frame (broker included); mean batch %.2f%n", STREAMS, frames, seconds,
                            capacity, cpu / 1e6 / frames, harness.meters.find("endostream.batch.size").summary().mean());
                    System.out.printf("EFFICIENCY %dx%d: %.3f (pipeline %.1f / ORT alone %.1f frames/s)%n", width, height,
                            capacity / best, capacity, best);
                    System.out.printf("CPU EFFICIENCY %dx%d: %.3f (ORT alone %.2f ms CPU/frame / whole process incl. broker %.2f ms CPU/frame)%n",
                            width, height, ortCpuPerFrame / (cpu / 1e6 / frames), ortCpuPerFrame, cpu / 1e6 / frames);
                }

                // ---- 3. latency: one stream at half capacity ----
                if (!Boolean.parseBoolean(System.getProperty("bench.latency", "true"))) {
                    return;
                }
                int latencyFrames = Math.max(1000, frames) + 100;
                double rate = Double.parseDouble(System.getProperty("bench.latencyFps", Double.toString(capacity / 2)));
                long periodNanos = (long) (1e9 / rate);
                Map<String, Long> sentAt = new ConcurrentHashMap<>();
                Histogram endToEnd = new Histogram(3);
                try (PipelineHarness harness = new PipelineHarness(bootstrap, modelDir, settings, session, Duration.ZERO);
                     KafkaConsumer<byte[], byte[]> masks = maskConsumer(bootstrap)) {
                    KafkaFrameConsumer consumer = harness.consume("bench-latency");
                    masks.poll(Duration.ofMillis(500)); // join before sending
                    Thread reader = new Thread(() -> {
                        int seen = 0;
                        while (seen < latencyFrames && !Thread.currentThread().isInterrupted()) {
                            for (ConsumerRecord<byte[], byte[]> r : masks.poll(Duration.ofMillis(20))) {
                                long now = System.nanoTime();
                                String id = new String(r.headers().lastHeader(RecordHeaders.FRAME_ID).value(), StandardCharsets.UTF_8);
                                Long sent = sentAt.remove(id);
                                if (sent != null) {
                                    if (seen >= 100) {
                                        endToEnd.recordValue(now - sent);
                                    }
                                    seen++;
                                }
                            }
                        }
                    });
                    reader.start();
                    long next = System.nanoTime();
                    for (int i = 0; i < latencyFrames; i++) {
                        while (System.nanoTime() < next) {
                            Thread.onSpinWait();
                        }
                        String id = "lat-" + i;
                        var record = FrameCodec.encode(new Frame("latency-room", id, i, System.currentTimeMillis(),
                                ImageFormat.JPEG, 0, 0, images.get(i % images.size())));
                        List<org.apache.kafka.common.header.Header> headers = new ArrayList<>();
                        record.headers().forEach((k, v) -> headers.add(new RecordHeader(k, v)));
                        sentAt.put(id, System.nanoTime());
                        producer.send(new ProducerRecord<>(Topics.FRAMES, null, record.key(), record.value(), headers));
                        next += periodNanos;
                    }
                    reader.join(TimeUnit.SECONDS.toMillis(60));
                    consumer.stop(true);
                    System.out.printf("latency run: %d frames of one %dx%d stream at %.1f frames/s (capacity %.1f)%n",
                            endToEnd.getTotalCount(), width, height, 1e9 / periodNanos, capacity);
                    for (double p : new double[]{50, 99, 99.9}) {
                        double e2e = endToEnd.getValueAtPercentile(p) / 1e6;
                        double model = modelLatency.getValueAtPercentile(p) / 1e6;
                        System.out.printf("p%-5s end-to-end %.2f ms, model-only %.2f ms, ADDED %.2f ms%n", p, e2e, model, e2e - model);
                    }
                    System.out.println("per-stage mean per frame (latency run):");
                    for (Stage stage : Stage.values()) {
                        Timer timer = harness.meters.find("endostream.stage").tag("stage", stage.tag()).timer();
                        if (timer != null && timer.count() > 0) {
                            System.out.printf("  %-12s %.3f ms%n", stage.tag(), timer.mean(TimeUnit.MILLISECONDS));
                        }
                    }
                }
            }
        }
        System.out.printf("load average at the end: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Thread CPU time of each codec stage on one thread (independent of other processes' load). */
    private static void codecCpu(Path modelDir, List<byte[]> images, int width, int height) {
        io.endostream.contracts.model.ModelManifest manifest = new ModelLoader(Path.of("target/model-cache"))
                .fromDirectory(modelDir).manifest();
        var decoder = new io.endostream.inference.frame.FrameDecoder(16_777_216L);
        var pre = new io.endostream.inference.model.Preprocessor(manifest.input());
        var post = new io.endostream.inference.model.Postprocessor(manifest.output());
        var encoder = new io.endostream.inference.mask.MaskEncoder(1);
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[4];
        int n = 300;
        org.opencv.core.Mat output = new org.opencv.core.Mat(manifest.input().height(), manifest.input().width(),
                org.opencv.core.CvType.CV_32FC1, new org.opencv.core.Scalar(0));
        output.submat(30, 70, 40, 90).setTo(new org.opencv.core.Scalar(0.9));
        for (int i = 0; i < n + 50; i++) {
            long t0 = threads.getCurrentThreadCpuTime();
            Frame f = new Frame("s", "f", i, 0, ImageFormat.JPEG, 0, 0, images.get(i % images.size()));
            var decoded = decoder.decode(f, manifest.input().width(), manifest.input().height());
            long t1 = threads.getCurrentThreadCpuTime();
            pre.process(decoded.image()).close();
            decoded.close();
            long t2 = threads.getCurrentThreadCpuTime();
            org.opencv.core.Mat small = post.binarize(output);
            var result = post.toFrame(small, width, height);
            small.release();
            long t3 = threads.getCurrentThreadCpuTime();
            encoder.encode(result.mask());
            result.close();
            long t4 = threads.getCurrentThreadCpuTime();
            if (i >= 50) {
                cpu[0] += t1 - t0;
                cpu[1] += t2 - t1;
                cpu[2] += t3 - t2;
                cpu[3] += t4 - t3;
            }
        }
        output.release();
        System.out.printf("codec CPU per frame (one thread): decode %.3f ms, preprocess %.3f ms, postprocess %.3f ms, "
                + "1-bit PNG %.3f ms%n", cpu[0] / 1e6 / n, cpu[1] / 1e6 / n, cpu[2] / 1e6 / n, cpu[3] / 1e6 / n);
    }

    private static void awaitLeaders(EmbeddedKafkaCluster kafka, String... topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean ready = kafka.admin().describeTopics(List.of(topics)).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (ready) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topics have no leaders after 30 s");
    }

    private static double masksOut(PipelineHarness harness) {
        return harness.meters.find("endostream.masks.out").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    cpu.merge(info.getThreadName() + "#" + info.getThreadId(), t, Long::sum);
                }
            }
        }
        return cpu;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_FRAME_BYTES + 65536));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> maskConsumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-masks");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.MASKS));
        return consumer;
    }
}
