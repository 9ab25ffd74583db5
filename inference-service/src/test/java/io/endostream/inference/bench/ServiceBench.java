package io.endostream.inference.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.inference.frame.DecodedFrame;
import io.endostream.inference.frame.FrameDecoder;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.mask.MaskEncoder;
import io.endostream.inference.model.ExecutionProvider;
import io.endostream.inference.model.ModelArtifact;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.Postprocessor;
import io.endostream.inference.model.Preprocessor;
import io.endostream.inference.model.SegmentationModel;
import io.endostream.inference.model.SessionSettings;
import io.endostream.local.loadgen.RelayFloor;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.FrameProducers;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The in-JVM parts of {@code inference-service/bench/run.sh} (the service itself runs in its own JVM, the broker in
 * another, the load comes from {@code endostream-local loadgen}). Subcommands, each writing one JSON file:
 * <ul>
 *   <li>{@code frames --size WxH --count K --out DIR}: simulated endoscopy JPEGs (q90) for loadgen and the backlog.</li>
 *   <li>{@code parts --model DIR --frames DIR --out FILE [--bootstrap B] [--ort true] [--intra-op 0] [--max-batch 8]}:
 *       the essential parts alone, as CPU per frame: ONNX Runtime at the service's own session settings (process
 *       CPU time, which includes ORT's native threads), decode / preprocess / postprocess / 1-bit PNG (thread CPU on
 *       one thread), and the Kafka clients of a plain relay (consumer to producer, the loadgen's {@link RelayFloor},
 *       thread CPU of its threads) at 100 frames/s through the real broker.</li>
 *   <li>{@code drain --bootstrap B --frames DIR --count N --streams S --pid PID [--broker-pid PID] --out FILE}: throughput of the running
 *       service (lossless mode): writes N frames on S streams, then measures from the moment the last one is on the
 *       broker until every mask is back: masks/s, the service's CPU per frame (/proc/PID/stat) and its RSS.</li>
 * </ul>
 * Nothing here spins: waits are {@code poll} or {@code parkNanos}.
 */
public final class ServiceBench {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    public static void main(String[] args) throws Exception {
        // ONNX Runtime may need more native stack than a launcher thread offers
        Throwable[] failure = new Throwable[1];
        Thread runner = new Thread(null, () -> {
            try {
                run(args);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "bench", 64L * 1024 * 1024);
        runner.start();
        runner.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ServiceBench frames|parts|drain --option value ...");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Map<String, Object> result = switch (args[0]) {
            case "frames" -> frames(o);
            case "parts" -> parts(o);
            case "drain" -> drain(o);
            default -> throw new IllegalArgumentException("unknown subcommand " + args[0]);
        };
        if (o.containsKey("out") && !args[0].equals("frames")) {
            JSON.writeValue(Path.of(o.get("out")).toFile(), result);
        }
        System.out.println(JSON.writeValueAsString(result));
    }

    // ---- frames ----

    private static Map<String, Object> frames(Map<String, String> o) throws Exception {
        String[] size = o.getOrDefault("size", "720x576").split("x");
        int w = Integer.parseInt(size[0]);
        int h = Integer.parseInt(size[1]);
        int count = Integer.parseInt(o.getOrDefault("count", "25"));
        Path dir = Path.of(o.get("out"));
        Files.createDirectories(dir);
        OpenCv.load();
        long bytes = 0;
        try (EndoscopySimulator sim = new EndoscopySimulator(40, w, h)) {
            for (int i = 0; i < count; i++) {
                try (SimulatedFrame f = sim.frame(76 + i * 5)) { // 0.2 s apart: polyps come and go
                    byte[] jpeg = f.jpeg(90);
                    bytes += jpeg.length;
                    Files.write(dir.resolve(String.format(Locale.ROOT, "frame_%03d.jpg", i)), jpeg);
                }
            }
        }
        return Map.of("dir", dir.toString(), "count", count, "meanBytes", bytes / count);
    }

    private static List<byte[]> readFrames(Path dir) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList()) {
                frames.add(Files.readAllBytes(p));
            }
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no .jpg frames in " + dir);
        }
        return frames;
    }

    // ---- parts ----

    private static Map<String, Object> parts(Map<String, String> o) throws Exception {
        OpenCv.load();
        Path modelDir = Path.of(o.get("model"));
        List<byte[]> images = readFrames(Path.of(o.get("frames")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ModelArtifact artifact = new ModelLoader(Files.createTempDirectory("bench-model-cache")).fromDirectory(modelDir);
        ModelManifest manifest = artifact.manifest();
        int w;
        int h;
        try (DecodedFrame d = new FrameDecoder(16_777_216L).decode(frame(images.get(0), 0), 1, 1)) {
            w = d.width();
            h = d.height();
        }
        out.put("frameSize", w + "x" + h);
        out.put("meanFrameBytes", images.stream().mapToInt(b -> b.length).average().orElse(0));
        if (Boolean.parseBoolean(o.getOrDefault("ort", "true"))) {
            // the service's own session settings (InferenceConfig defaults unless the run overrides them)
            SessionSettings settings = new SessionSettings(
                    ExecutionProvider.valueOf(o.getOrDefault("provider", "cpu").toUpperCase(Locale.ROOT)), 0,
                    Integer.parseInt(o.getOrDefault("intra-op", "0")), false,
                    Integer.parseInt(o.getOrDefault("max-batch", "8")), 2);
            out.put("ortSettings", settings.toString());
            out.put("ortIntraOpThreads", settings.effectiveIntraOpThreads());
            long rss0 = rssKb(ProcessHandle.current().pid());
            try (SegmentationModel model = SegmentationModel.open(artifact, settings)) {
                out.put("ortProvider", model.provider().toString());
                out.put("ortBatch1", ort(model, 1, 600));
                out.put("ortBatch1Paced", ortPaced(model, 100, 40));
                if (model.maxBatch() > 1) {
                    out.put("ortMaxBatch", ort(model, model.maxBatch(), 120));
                }
                // the session's native memory (weights, ORT's arena at its peak, bound I/O buffers)
                out.put("ortSessionRssMb", (rssKb(ProcessHandle.current().pid()) - rss0) / 1024.0);
            }
        }
        out.put("codec", codec(manifest, images, w, h));
        if (o.containsKey("bootstrap")) {
            out.put("relay", relay(o.get("bootstrap"), images, Integer.parseInt(o.getOrDefault("relay-frames", "800"))));
        }
        out.put("loadAverageEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return out;
    }

    private static Frame frame(byte[] jpeg, long seq) {
        return new Frame("bench", "f" + seq, seq, 0, ImageFormat.JPEG, 0, 0, jpeg);
    }

    /** ORT alone at one batch size: wall frames/s, latency per batch and process CPU per frame (ORT's threads too). */
    private static Map<String, Object> ort(SegmentationModel model, int batch, int runs) {
        for (int i = 0; i < 20; i++) {
            model.run(batch);
        }
        Histogram latency = new Histogram(3);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            model.run(batch);
            latency.recordValue(System.nanoTime() - t);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu = processCpuNanos() - cpu0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch", batch);
        m.put("framesPerSecond", runs * batch / seconds);
        m.put("cpuMsPerFrame", cpu / 1e6 / (runs * (double) batch));
        m.put("p50MsPerBatch", latency.getValueAtPercentile(50) / 1e6);
        m.put("p99MsPerBatch", latency.getValueAtPercentile(99) / 1e6);
        return m;
    }

    /**
     * ORT alone at batch 1, one run every {@code periodMs} as a single 25 fps stream gives it: between runs the thread
     * sleeps and its caches go cold, which back-to-back runs never see.
     */
    private static Map<String, Object> ortPaced(SegmentationModel model, int runs, long periodMs) {
        Histogram latency = new Histogram(3);
        try {
            for (int i = 0; i < runs; i++) {
                Thread.sleep(periodMs);
                long t = System.nanoTime();
                model.run(1);
                latency.recordValue(System.nanoTime() - t);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("periodMs", periodMs);
        m.put("p50MsPerBatch", latency.getValueAtPercentile(50) / 1e6);
        m.put("p99MsPerBatch", latency.getValueAtPercentile(99) / 1e6);
        return m;
    }

    /** Thread CPU of each codec stage on this thread (independent of other processes' load). */
    private static Map<String, Object> codec(ModelManifest manifest, List<byte[]> images, int width, int height) {
        FrameDecoder decoder = new FrameDecoder(16_777_216L);
        Preprocessor pre = new Preprocessor(manifest.input());
        Postprocessor post = new Postprocessor(manifest.output());
        MaskEncoder encoder = new MaskEncoder(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
        long[] cpu = new long[4];
        long allocated = 0;
        int n = Math.max(100, 120_000_000 / (width * height)); // ~290 at 720x576, 100 at 1080p
        int warm = 30;
        Mat output = new Mat(manifest.input().height(), manifest.input().width(), CvType.CV_32FC1, new Scalar(-5));
        // a polyp-sized blob, so postprocess finds a region and the PNG has edges
        output.submat(manifest.input().height() / 4, manifest.input().height() / 2,
                manifest.input().width() / 3, manifest.input().width() * 2 / 3).setTo(new Scalar(5));
        for (int i = 0; i < n + warm; i++) {
            long a0 = allocations.getCurrentThreadAllocatedBytes();
            long t0 = threads.getCurrentThreadCpuTime();
            DecodedFrame decoded = decoder.decode(frame(images.get(i % images.size()), i), manifest.input().width(),
                    manifest.input().height());
            long t1 = threads.getCurrentThreadCpuTime();
            pre.process(decoded.image()).close();
            decoded.close();
            long t2 = threads.getCurrentThreadCpuTime();
            Mat small = post.binarize(output);
            Postprocessor.Result result = post.toFrame(small, width, height);
            small.release();
            long t3 = threads.getCurrentThreadCpuTime();
            encoder.encode(result.mask());
            result.close();
            long t4 = threads.getCurrentThreadCpuTime();
            if (i >= warm) {
                allocated += allocations.getCurrentThreadAllocatedBytes() - a0;
                cpu[0] += t1 - t0;
                cpu[1] += t2 - t1;
                cpu[2] += t3 - t2;
                cpu[3] += t4 - t3;
            }
        }
        output.release();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", n);
        m.put("decodeMs", cpu[0] / 1e6 / n);
        m.put("preprocessMs", cpu[1] / 1e6 / n);
        m.put("postprocessMs", cpu[2] / 1e6 / n);
        m.put("encodeMs", cpu[3] / 1e6 / n);
        m.put("javaHeapBytesAllocatedPerFrame", allocated / n); // on this thread, the 4 stages (plus the Frame record)
        return m;
    }

    /**
     * Kafka client CPU per frame of a plain relay (the loadgen's floor, same client settings as the service): the
     * relay's poll thread and its producer's I/O thread, measured by thread name while a feeder sends at 100/s.
     */
    private static Map<String, Object> relay(String bootstrap, List<byte[]> images, int count) throws Exception {
        String in = "endostream.bench.relay.in";
        String outTopic = "endostream.bench.relay.out";
        createTopics(bootstrap, in, outTopic);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (KafkaProducer<byte[], byte[]> feeder = FrameProducers.create(bootstrap, "bench-feeder");
             RelayFloor relay = new RelayFloor(bootstrap, in, outTopic);
             KafkaConsumer<byte[], byte[]> sink = consumer(bootstrap, outTopic)) {
            // warm-up: connections, metadata, JIT
            sendPaced(feeder, in, images, 100, 100);
            awaitCount(sink, 100, Duration.ofSeconds(30), null);
            long cpu0 = threadCpu(mx, "relay-floor");
            sendPaced(feeder, in, images, count, 100);
            awaitCount(sink, count, Duration.ofSeconds(60), null);
            long cpu = threadCpu(mx, "relay-floor") - cpu0;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", count);
            m.put("fps", 100);
            m.put("cpuMsPerFrame", cpu / 1e6 / count);
            return m;
        }
    }

    private static void sendPaced(KafkaProducer<byte[], byte[]> producer, String topic, List<byte[]> images, int count,
                                  double fps) throws Exception {
        long period = (long) (1e9 / fps);
        long next = System.nanoTime();
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next += period;
            sent.add(producer.send(new ProducerRecord<>(topic, ("bench-" + (i % 8)).getBytes(StandardCharsets.UTF_8),
                    images.get(i % images.size()))));
        }
        for (Future<?> f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private static long threadCpu(ThreadMXBean mx, String nameContains) {
        long sum = 0;
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(nameContains)) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }

    // ---- drain ----

    private static Map<String, Object> drain(Map<String, String> o) throws Exception {
        String bootstrap = o.get("bootstrap");
        List<byte[]> images = readFrames(Path.of(o.get("frames")));
        int count = Integer.parseInt(o.getOrDefault("count", "2000"));
        int streams = Integer.parseInt(o.getOrDefault("streams", "8"));
        long pid = Long.parseLong(o.get("pid"));
        String prefix = "drain-" + Long.toString(System.currentTimeMillis(), 36) + "-";
        Map<String, Object> m = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = FrameProducers.create(bootstrap, "bench-backlog");
             KafkaConsumer<byte[], byte[]> masks = consumer(bootstrap, Topics.MASKS)) {
            long[] seen = new long[1];
            long startOffsets = masks.assignment().stream().mapToLong(masks::position).sum();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(Topics.FRAMES,
                        (prefix + (i % streams)).getBytes(StandardCharsets.UTF_8), images.get(i % images.size()))));
            }
            for (Future<?> f : sent) {
                f.get(120, TimeUnit.SECONDS);
            }
            // from here on only the service (and the broker) work: that window is the measurement. Masks published
            // while the backlog was still being written are on the topic already (this consumer has not polled them
            // yet): count them from the end offsets, nobody else writes masks during a drain.
            long cpu0 = procCpuTicks(pid);
            long brokerPid = Long.parseLong(o.getOrDefault("broker-pid", "0"));
            long broker0 = brokerPid > 0 ? procCpuTicks(brokerPid) : 0;
            long self0 = processCpuNanos();
            long[] machine0 = machineTicks();
            long t0 = System.nanoTime();
            long before = masks.endOffsets(masks.assignment()).values().stream().mapToLong(Long::longValue).sum()
                    - startOffsets;
            long maxRss = rssKb(pid);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.getOrDefault("timeout", "300")));
            while (seen[0] < count && System.nanoTime() < deadline) {
                countMasks(masks, prefix, seen, Duration.ofMillis(200));
                maxRss = Math.max(maxRss, rssKb(pid));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpuTicks = procCpuTicks(pid) - cpu0;
            long[] machine1 = machineTicks();
            // where the cores went in the window: is the machine saturated, and by whom?
            double all = machine1[1] - machine0[1];
            if (all > 0) {
                m.put("machineBusyShare", (machine1[0] - machine0[0]) / all);
                m.put("serviceShare", cpuTicks / all);
                if (brokerPid > 0) {
                    m.put("brokerShare", (procCpuTicks(brokerPid) - broker0) / all);
                }
                m.put("harnessShare", (processCpuNanos() - self0) / 1e9 * CLOCK_TICKS / all);
            }
            long measured = Math.max(0, seen[0] - before);
            m.put("frames", count);
            m.put("streams", streams);
            m.put("meanFrameBytes", images.stream().mapToInt(b -> b.length).average().orElse(0));
            m.put("masksBeforeWindow", before);
            m.put("masks", seen[0]);
            m.put("measuredMasks", measured);
            m.put("seconds", seconds);
            m.put("framesPerSecond", measured / seconds);
            m.put("serviceCpuMsPerFrame", cpuTicks * 1000.0 / CLOCK_TICKS / Math.max(1, measured));
            m.put("serviceCpuCores", cpuTicks / (double) CLOCK_TICKS / seconds);
            m.put("maxRssMb", maxRss / 1024.0);
            m.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return m;
    }

    private static void countMasks(KafkaConsumer<byte[], byte[]> masks, String prefix, long[] seen, Duration wait) {
        for (ConsumerRecord<byte[], byte[]> r : masks.poll(wait)) {
            if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                seen[0]++;
            }
        }
    }

    private static void awaitCount(KafkaConsumer<byte[], byte[]> consumer, long count, Duration timeout, String prefix) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (seen < count && System.nanoTime() < deadline) {
            seen += consumer.poll(Duration.ofMillis(200)).count();
        }
        if (seen < count) {
            throw new IllegalStateException("only " + seen + " of " + count + " records came back in " + timeout);
        }
    }

    /** A consumer on every partition of {@code topic}, positioned at its end (no group). */
    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_FRAME_BYTES + 65536));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(Topics.MAX_FRAME_BYTES + 65536));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    private static void createTopics(String bootstrap, String... topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            for (String t : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(t, 8, (short) 1).configs(
                            Map.of("max.message.bytes", String.valueOf(Topics.MAX_FRAME_BYTES + 65536))))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Busy and total clock ticks of all cores together (the "cpu" line of /proc/stat; idle and iowait are not busy). */
    static long[] machineTicks() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[]{total - Long.parseLong(f[4]) - Long.parseLong(f[5]), total};
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long procCpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
