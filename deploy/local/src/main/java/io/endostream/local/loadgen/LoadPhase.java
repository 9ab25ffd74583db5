package io.endostream.local.loadgen;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.local.kafka.EndoStreamTopics;
import io.endostream.local.stream.FrameProducers;
import io.endostream.local.stream.RunIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One measured phase: N streams at F fps for T seconds into one target, and every answer read back.
 *
 * <p>Timing: the sender stamps each frame with {@code System.nanoTime()} as it hands it to the producer (its capture
 * time; {@code ce_capturetime} carries the wall-clock equivalent) and the receiver, in the same JVM, takes the clock
 * when {@code poll} returns the answer: the latency a client sees, with no clock skew between machines. Frames are
 * sent by a scheduler thread at fixed rate (it sleeps between frames; nothing spins); the consumer waits in
 * {@code poll}. Frames of the warm-up are sent and accounted but their latencies are left out.
 */
final class LoadPhase {

    /** What one phase drives. */
    record Target(String name, String inTopic, String outTopic, String deadLetterTopic) {
    }

    private final String bootstrap;
    private final LoadSettings settings;
    private final FrameSet frames;
    private final Target target;
    private final String runId = RunIds.newRunId();

    LoadPhase(String bootstrap, LoadSettings settings, FrameSet frames, Target target) {
        this.bootstrap = bootstrap;
        this.settings = settings;
        this.frames = frames;
        this.target = target;
    }

    PhaseResult run(int repeat, SkipCounter skips) throws InterruptedException {
        int n = settings.streams();
        long perStream = settings.framesPerStream();
        long warmup = settings.warmupFramesPerStream();
        AtomicLongArray[] sentNanos = new AtomicLongArray[n]; // written by the sender, read by the receiver
        String[] streamIds = new String[n];
        Map<String, Integer> streamIndex = new HashMap<>();
        for (int k = 0; k < n; k++) {
            streamIds[k] = "load-" + (k + 1);
            streamIndex.put(streamIds[k], k);
            sentNanos[k] = new AtomicLongArray((int) perStream);
        }
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        List<Histogram> bySendSecond = new ArrayList<>(); // on the receiving thread only
        long[] delivered = new long[n];
        long[] deliveredMeasured = new long[n];
        long[] deadLetters = new long[n];
        long[] duplicates = new long[n];
        BitSet[] answered = new BitSet[n];
        for (int k = 0; k < n; k++) {
            answered[k] = new BitSet((int) perStream);
        }
        Map<String, Long> deadLetterReasons = new HashMap<>();
        AtomicLong sent = new AtomicLong();
        AtomicLong sendFailures = new AtomicLong();
        AtomicBoolean sendingDone = new AtomicBoolean();
        Double skipsBefore = skips.read();

        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
             KafkaProducer<byte[], byte[]> producer = FrameProducers.create(bootstrap, "endostream-loadgen")) {
            List<String> outTopics = target.deadLetterTopic() == null ? List.of(target.outTopic())
                    : List.of(target.outTopic(), target.deadLetterTopic());
            assignAtEnd(consumer, outTopics);
            ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "loadgen-sender");
                t.setDaemon(true);
                return t;
            });
            long periodNanos = (long) (1e9 / settings.fps());
            AtomicLong finishedStreams = new AtomicLong();
            List<ScheduledFuture<?>> schedules = new ArrayList<>();
            long startNanos = System.nanoTime();
            for (int k = 0; k < n; k++) {
                int stream = k;
                AtomicLong next = new AtomicLong();
                ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
                Runnable tick = () -> {
                    long seq = next.getAndIncrement();
                    if (seq >= perStream) {
                        return; // the future is being cancelled
                    }
                    int i = (int) ((seq + stream) % frames.size());
                    Frame frame = new Frame(streamIds[stream], RunIds.frameId(streamIds[stream], runId, seq), seq,
                            System.currentTimeMillis(), frames.formats().get(i), frames.width(), frames.height(),
                            frames.images().get(i));
                    sentNanos[stream].set((int) seq, System.nanoTime());
                    producer.send(FrameProducers.toRecord(target.inTopic(), FrameCodec.encode(frame)), (m, e) -> {
                        if (e != null) {
                            sendFailures.incrementAndGet();
                        }
                    });
                    sent.incrementAndGet();
                    if (seq == perStream - 1) {
                        finishedStreams.incrementAndGet();
                        synchronized (self) {
                            if (self[0] != null) {
                                self[0].cancel(false);
                            }
                        }
                        if (finishedStreams.get() == n) {
                            sendingDone.set(true);
                        }
                    }
                };
                // streams start spread over one period, as cameras started at different moments would be
                ScheduledFuture<?> future = sender.scheduleAtFixedRate(tick, periodNanos * k / n, periodNanos,
                        TimeUnit.NANOSECONDS);
                synchronized (self) {
                    self[0] = future;
                }
                schedules.add(future);
            }

            long expected = perStream * n;
            long accounted = 0;
            long graceDeadline = Long.MAX_VALUE;
            while (true) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Integer k = r.key() == null ? null : streamIndex.get(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
                    String frameId = header(r, RecordHeaders.FRAME_ID);
                    if (k == null || frameId == null || !frameId.startsWith(streamIds[k] + "-" + runId + "-")) {
                        continue; // another stream's or another run's record
                    }
                    long seq;
                    try {
                        seq = Long.parseLong(frameId.substring(frameId.lastIndexOf('-') + 1));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    if (seq < 0 || seq >= perStream) {
                        continue;
                    }
                    if (answered[k].get((int) seq)) {
                        duplicates[k]++;
                        continue;
                    }
                    answered[k].set((int) seq);
                    accounted++;
                    if (r.topic().equals(target.deadLetterTopic())) {
                        deadLetters[k]++;
                        deadLetterReasons.merge(String.valueOf(header(r, RecordHeaders.DEAD_LETTER_REASON)), 1L,
                                Long::sum);
                        continue;
                    }
                    delivered[k]++;
                    long sentAt = sentNanos[k].get((int) seq);
                    int second = (int) Math.max(0, (sentAt - startNanos) / 1_000_000_000L);
                    while (bySendSecond.size() <= second) {
                        bySendSecond.add(new Histogram(TimeUnit.SECONDS.toMicros(60), 2));
                    }
                    bySendSecond.get(second).recordValue(Math.min(Math.max(0, (now - sentAt) / 1000),
                            TimeUnit.SECONDS.toMicros(60)));
                    if (seq >= warmup) {
                        deliveredMeasured[k]++;
                        long micros = Math.max(0, (now - sentNanos[k].get((int) seq)) / 1000);
                        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                    }
                }
                if (sendingDone.get() && graceDeadline == Long.MAX_VALUE) {
                    graceDeadline = now + TimeUnit.MILLISECONDS.toNanos((long) (settings.graceSeconds() * 1000));
                }
                if (accounted >= expected || now > graceDeadline) {
                    break;
                }
            }
            schedules.forEach(f -> f.cancel(false));
            sender.shutdownNow();
            double sendSeconds = (System.nanoTime() - startNanos) / 1e9;
            Double skipsAfter = skips.read();
            Long skipCount = skipsBefore == null || skipsAfter == null ? null : Math.round(skipsAfter - skipsBefore);
            double measuredSeconds = (perStream - warmup) / settings.fps();
            List<PhaseResult.Stream> streams = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                streams.add(new PhaseResult.Stream(streamIds[k], perStream, delivered[k], deadLetters[k],
                        perStream - answered[k].cardinality(), duplicates[k],
                        measuredSeconds > 0 ? deliveredMeasured[k] / measuredSeconds : 0));
            }
            return PhaseResult.of(target.name(), repeat, runId, settings, streams, latency, deadLetterReasons,
                    skipCount, sendFailures.get(), sendSeconds, bySendSecond);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "endostream-loadgen-" + target.name());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every partition of the topics, from their current end: answers to this phase's frames only, no group. */
    private static void assignAtEnd(KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        if (partitions.isEmpty()) {
            throw new IllegalStateException("none of the topics " + topics + " exists on the broker");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : Utf8.decodeOrNull(h.value());
    }
}
