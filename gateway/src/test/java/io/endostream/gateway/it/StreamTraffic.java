package io.endostream.gateway.it;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.FrameProducers;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated endoscopy streams into {@code endoscopy.frames} (small JPEG frames rendered once and reused, sequence
 * numbers and frame ids per stream), and what came out: for each frame id the model version of its mask(s) on
 * {@code endoscopy.masks}, its dead letters, and the shadow masks on {@code endoscopy.masks.shadow}. Read with
 * plain consumers (no group) so nothing here disturbs the service.
 */
public final class StreamTraffic implements AutoCloseable {

    public static final int WIDTH = 160;
    public static final int HEIGHT = 128;

    /**
     * A mask as a user sees it: the frame it answers, the model version that made it, the frame's capture time and
     * the end-to-end latency the service reports (capture to mask ready, {@code ce_endtoendms}).
     */
    public record MaskSeen(String stream, String frameId, String version, long sequence, long captureTimeMillis,
                           double endToEndMs) {
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<byte[]> jpegs = new ArrayList<>();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final String runId = Long.toString(System.nanoTime(), 36);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, List<MaskSeen>> masksByFrame = new ConcurrentHashMap<>();
    private final Map<String, List<MaskSeen>> shadowByFrame = new ConcurrentHashMap<>();
    private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();

    public StreamTraffic(String bootstrapServers) {
        producer = FrameProducers.create(bootstrapServers, "rollout-it-frames");
        // frames that show a polyp: the model's masks are then mostly non-empty, so a candidate that segments
        // nothing disagrees with stable (two empty masks would agree fully)
        try (EndoscopySimulator simulator = new EndoscopySimulator(7, WIDTH, HEIGHT)) {
            for (int i = 0; i < 400 && jpegs.size() < 16; i++) {
                try (SimulatedFrame frame = simulator.next()) {
                    if (frame.polypCount() > 0) {
                        jpegs.add(frame.jpeg(80));
                    }
                }
            }
        }
        if (jpegs.isEmpty()) {
            throw new IllegalStateException("the simulator rendered no frame with a polyp in 400 frames");
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_FRAME_BYTES + 65536));
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.MASKS, Topics.FRAMES_DLQ, Topics.MASKS_SHADOW)) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Sends {@code frames} frames on each stream (round robin, in order per stream); returns their frame ids. */
    public List<String> send(Collection<String> streams, int frames) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            for (String stream : streams) {
                ids.add(sendOne(stream));
            }
        }
        producer.flush();
        return ids;
    }

    /** Sends one frame of {@code stream} now (asynchronously); returns its frame id. */
    public String sendOne(String stream) {
        long sequence = sequences.computeIfAbsent(stream, s -> new AtomicLong()).getAndIncrement();
        String frameId = stream + "-" + runId + "-" + sequence;
        Frame frame = new Frame(stream, frameId, sequence, System.currentTimeMillis(), ImageFormat.JPEG, WIDTH, HEIGHT,
                jpegs.get((int) (sequence % jpegs.size())));
        producer.send(FrameProducers.toRecord(Topics.FRAMES, FrameCodec.encode(frame)), (meta, error) -> {
            if (error != null) {
                throw new IllegalStateException("frame " + frameId + " not sent: " + error, error);
            }
        });
        return frameId;
    }

    /**
     * Continuous traffic: every stream sends at {@code fps} until {@code stop} is set, from one thread. Returns the
     * thread (join it after setting stop); the frame ids sent are added to {@code sent}.
     */
    public Thread continuous(List<String> streams, double fps, AtomicBoolean stop, Collection<String> sent) {
        Thread thread = new Thread(() -> {
            long periodNanos = (long) (1e9 / fps);
            long next = System.nanoTime();
            while (!stop.get()) {
                for (String stream : streams) {
                    sent.add(sendOne(stream));
                }
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            producer.flush();
        }, "rollout-it-traffic");
        thread.start();
        return thread;
    }

    /** Reads what arrived since the last call. */
    public synchronized void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            String frameId = header(r, RecordHeaders.FRAME_ID);
            if (frameId == null) {
                continue;
            }
            if (r.topic().equals(Topics.FRAMES_DLQ)) {
                deadLettered.add(frameId);
                continue;
            }
            String stream = new String(r.key(), StandardCharsets.UTF_8);
            long sequence = Long.parseLong(header(r, RecordHeaders.SEQUENCE));
            String capture = header(r, RecordHeaders.CAPTURE_TIME);
            String endToEnd = header(r, RecordHeaders.END_TO_END_MS);
            MaskSeen seen = new MaskSeen(stream, frameId, header(r, RecordHeaders.MODEL_VERSION), sequence,
                    capture == null ? -1 : Long.parseLong(capture), endToEnd == null ? -1 : Double.parseDouble(endToEnd));
            (r.topic().equals(Topics.MASKS) ? masksByFrame : shadowByFrame)
                    .computeIfAbsent(frameId, f -> new ArrayList<>()).add(seen);
        }
    }

    /** True once every frame id has a mask or a dead letter (polls first). */
    public boolean allAnswered(Collection<String> frameIds) {
        poll();
        return frameIds.stream().allMatch(id -> masksByFrame.containsKey(id) || deadLettered.contains(id));
    }

    public List<String> unanswered(Collection<String> frameIds) {
        return frameIds.stream().filter(id -> !masksByFrame.containsKey(id) && !deadLettered.contains(id)).toList();
    }

    /** The model versions whose masks answered frames of {@code stream} among {@code frameIds}, in order seen. */
    public Map<String, Set<String>> versionsByStream(Collection<String> frameIds) {
        poll();
        Map<String, Set<String>> out = new HashMap<>();
        for (String id : frameIds) {
            for (MaskSeen m : masksByFrame.getOrDefault(id, List.of())) {
                out.computeIfAbsent(m.stream(), s -> new LinkedHashSet<>()).add(m.version());
            }
        }
        return out;
    }

    /** The first mask of each of these frame ids (polls first). */
    public List<MaskSeen> masks(Collection<String> frameIds) {
        poll();
        List<MaskSeen> out = new ArrayList<>();
        for (String id : frameIds) {
            List<MaskSeen> seen = masksByFrame.get(id);
            if (seen != null && !seen.isEmpty()) {
                out.add(seen.get(0));
            }
        }
        return out;
    }

    public Set<String> deadLettered() {
        return Set.copyOf(deadLettered);
    }

    /** Shadow masks seen for these frame ids. */
    public List<MaskSeen> shadowMasks(Collection<String> frameIds) {
        poll();
        List<MaskSeen> out = new ArrayList<>();
        frameIds.forEach(id -> out.addAll(shadowByFrame.getOrDefault(id, List.of())));
        return out;
    }

    /** Every shadow mask seen so far. */
    public List<MaskSeen> allShadowMasks() {
        poll();
        List<MaskSeen> out = new ArrayList<>();
        shadowByFrame.values().forEach(out::addAll);
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        synchronized (this) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
