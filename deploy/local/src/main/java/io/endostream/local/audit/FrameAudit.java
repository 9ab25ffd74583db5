package io.endostream.local.audit;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Accounts for every frame published in a time window, from the topics alone, as a user checking the service would:
 * each frame must end as a mask or a dead letter (or a skip the service counted in its metrics). Reports what is
 * missing, what arrived twice, masks of a stream that arrived out of frame order, and the longest gap between two
 * masks of one stream. Reads with plain consumers (no group, no commits), so it never disturbs the service.
 *
 * <p>Order is judged on first deliveries: a mask redelivered after a crash repeats an earlier frame id, which consumers
 * drop (the contract's dedup rule), so it counts as a duplicate, not as an order break.
 *
 * <p>Frames are matched to masks by frame id ({@code ce_frameid}, or the contract's default
 * {@code <topic>-<partition>-<offset>}) and to dead letters by the original partition and offset they carry.
 */
public final class FrameAudit {

    /** What the audit found. {@code unaccounted} frames have neither a mask nor a dead letter. */
    public record Report(long frames, long masked, long deadLettered, long unaccounted, long duplicateMasks,
                         long duplicateDeadLetters, long maskedAndDeadLettered, long outOfOrder, long longestGapMs,
                         long ambiguousFrameIds, Map<String, StreamReport> streams, List<String> examples) {

        /** Frames in = masks + dead letters (+ counted skips, which only the service's metrics know). */
        public boolean everyFrameAccounted() {
            return unaccounted == 0;
        }
    }

    /** Per stream: frames, masks, dead letters, masks out of frame order, longest gap between masks. */
    public record StreamReport(long frames, long masks, long deadLetters, long outOfOrder, long longestGapMs) {
    }

    private static final class FrameEntry {
        final String stream;
        int masks;
        int deadLetters;

        FrameEntry(String stream) {
            this.stream = stream;
        }
    }

    private static final class StreamState {
        long frames;
        long masks;
        long deadLetters;
        long outOfOrder;
        long lastSequence = Long.MIN_VALUE;
        long lastMaskTime = -1;
        long longestGapMs;
    }

    private final String bootstrapServers;
    private final String framesTopic;
    private final String masksTopic;
    private final String deadLetterTopic;

    public FrameAudit(String bootstrapServers, String framesTopic, String masksTopic, String deadLetterTopic) {
        this.bootstrapServers = bootstrapServers;
        this.framesTopic = framesTopic;
        this.masksTopic = masksTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    public FrameAudit(String bootstrapServers) {
        this(bootstrapServers, Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ);
    }

    /**
     * Audits the frames whose record timestamp is in [{@code sinceMillis}, {@code untilMillis}). Masks and dead
     * letters are read from {@code sinceMillis} on until every frame is accounted for or no new outcome arrived for
     * {@code settle}.
     */
    public Report audit(long sinceMillis, long untilMillis, Duration settle) {
        Map<String, FrameEntry> byFrameId = new HashMap<>();
        Map<String, FrameEntry> byPosition = new HashMap<>(); // "partition:offset" of the frame record
        Map<String, StreamState> streams = new TreeMap<>();
        long[] ambiguous = {0};
        readToEnd(framesTopic, sinceMillis, record -> {
            if (record.timestamp() >= untilMillis) {
                return;
            }
            String stream = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            FrameEntry entry = new FrameEntry(stream);
            String frameId = header(record, RecordHeaders.FRAME_ID);
            if (frameId == null || frameId.isBlank()) {
                frameId = FrameCodec.defaultFrameId(record.topic(), record.partition(), record.offset());
            }
            if (byFrameId.put(frameId, entry) != null) {
                ambiguous[0]++; // the same id twice in the window: masks cannot be told apart
            }
            byPosition.put(record.partition() + ":" + record.offset(), entry);
            streams.computeIfAbsent(stream, s -> new StreamState()).frames++;
        });

        long[] counters = new long[3]; // duplicate masks, duplicate dead letters, masks without a frame in the window
        List<String> examples = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> masks = consumer(); KafkaConsumer<byte[], byte[]> dead = consumer()) {
            seek(masks, masksTopic, sinceMillis);
            seek(dead, deadLetterTopic, sinceMillis);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < settle.toNanos() && !allAccounted(byFrameId)) {
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> record : masks.poll(Duration.ofMillis(100))) {
                    any = true;
                    FrameEntry entry = byFrameId.get(header(record, RecordHeaders.FRAME_ID));
                    if (entry == null) {
                        continue; // a mask of a frame outside the window
                    }
                    if (++entry.masks == 2) {
                        counters[0]++;
                        note(examples, "duplicate mask of frame " + header(record, RecordHeaders.FRAME_ID));
                    } else if (entry.masks > 2) {
                        counters[0]++;
                    }
                    StreamState state = streams.get(entry.stream);
                    state.masks++;
                    if (entry.masks > 1) {
                        continue; // a redelivery (counted above): consumers drop it by ce_frameid, so not an order break
                    }
                    long sequence = parseLong(header(record, RecordHeaders.SEQUENCE), Long.MIN_VALUE);
                    if (sequence < state.lastSequence) {
                        state.outOfOrder++;
                        note(examples, "stream " + entry.stream + ": mask " + sequence + " after " + state.lastSequence);
                    }
                    state.lastSequence = Math.max(state.lastSequence, sequence);
                    if (state.lastMaskTime >= 0) {
                        state.longestGapMs = Math.max(state.longestGapMs, record.timestamp() - state.lastMaskTime);
                    }
                    state.lastMaskTime = record.timestamp();
                }
                for (ConsumerRecord<byte[], byte[]> record : dead.poll(Duration.ofMillis(100))) {
                    any = true;
                    if (!framesTopic.equals(header(record, RecordHeaders.DEAD_LETTER_TOPIC))) {
                        continue;
                    }
                    FrameEntry entry = byPosition.get(header(record, RecordHeaders.DEAD_LETTER_PARTITION) + ":"
                            + header(record, RecordHeaders.DEAD_LETTER_OFFSET));
                    if (entry == null) {
                        continue;
                    }
                    if (++entry.deadLetters > 1) {
                        counters[1]++;
                    }
                    streams.get(entry.stream).deadLetters++;
                }
                if (any) {
                    quietSince = System.nanoTime();
                }
            }
        }

        long masked = 0;
        long deadLettered = 0;
        long both = 0;
        long unaccounted = 0;
        for (Map.Entry<String, FrameEntry> e : byFrameId.entrySet()) {
            FrameEntry f = e.getValue();
            masked += f.masks > 0 ? 1 : 0;
            deadLettered += f.deadLetters > 0 ? 1 : 0;
            both += f.masks > 0 && f.deadLetters > 0 ? 1 : 0;
            if (f.masks == 0 && f.deadLetters == 0) {
                unaccounted++;
                note(examples, "no mask or dead letter for frame " + e.getKey() + " of stream " + f.stream);
            }
        }
        Map<String, StreamReport> perStream = new LinkedHashMap<>();
        long outOfOrder = 0;
        long longestGap = 0;
        for (Map.Entry<String, StreamState> e : streams.entrySet()) {
            StreamState s = e.getValue();
            perStream.put(e.getKey(), new StreamReport(s.frames, s.masks, s.deadLetters, s.outOfOrder, s.longestGapMs));
            outOfOrder += s.outOfOrder;
            longestGap = Math.max(longestGap, s.longestGapMs);
        }
        long frames = byFrameId.size() + ambiguous[0];
        return new Report(frames, masked, deadLettered, unaccounted, counters[0], counters[1], both, outOfOrder,
                longestGap, ambiguous[0], perStream, examples);
    }

    private static boolean allAccounted(Map<String, FrameEntry> frames) {
        for (FrameEntry f : frames.values()) {
            if (f.masks == 0 && f.deadLetters == 0) {
                return false;
            }
        }
        return true;
    }

    private void readToEnd(String topic, long sinceMillis, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> end = seek(consumer, topic, sinceMillis);
            while (true) {
                boolean done = true;
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    done &= consumer.position(e.getKey()) >= e.getValue();
                }
                if (done) {
                    return;
                }
                consumer.poll(Duration.ofMillis(200)).forEach(sink);
            }
        }
    }

    /** Assigns every partition of {@code topic}, seeks to {@code sinceMillis}; returns the end offsets now. */
    private static Map<TopicPartition, Long> seek(KafkaConsumer<byte[], byte[]> consumer, String topic, long since) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            consumer.seek(p, at == null ? end.get(p) : at.offset());
        }
        return end;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_FRAME_BYTES + 1_048_576));
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void note(List<String> examples, String line) {
        if (examples.size() < 20) {
            examples.add(line);
        }
    }
}
