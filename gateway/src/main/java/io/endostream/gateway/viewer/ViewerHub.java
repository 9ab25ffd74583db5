package io.endostream.gateway.viewer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live viewer's server side: one plain Kafka consumer, with no consumer group (it assigns partitions itself,
 * commits nothing and starts at the latest offsets), so it never takes a partition from inference-service nor slows
 * anyone. It runs only while a browser is connected: it reads every partition of the mask topic (to list the streams
 * that exist), and of the frame and shadow topics only the partitions holding watched streams. Frames and masks are
 * joined by frame id in a bounded {@link PairMatcher} and pushed to the browsers watching their stream. A slow browser
 * gets the latest pair only: at most one message in flight and one waiting per connection.
 */
@ApplicationScoped
public class ViewerHub {

    private static final Logger LOG = Logger.getLogger(ViewerHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One browser connection. */
    static final class Viewer {
        final WebSocketConnection connection;
        volatile String user;
        volatile String watching;
        final AtomicBoolean sending = new AtomicBoolean();
        final AtomicReference<byte[]> pending = new AtomicReference<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong replaced = new AtomicLong();

        Viewer(WebSocketConnection connection) {
            this.connection = connection;
        }

        void offer(byte[] message) {
            if (pending.getAndSet(message) != null) {
                replaced.incrementAndGet(); // the browser is slower than the stream: latest wins
            }
            drain();
        }

        private void drain() {
            if (!sending.compareAndSet(false, true)) {
                return;
            }
            byte[] next = pending.getAndSet(null);
            if (next == null) {
                sending.set(false);
                if (pending.get() != null) {
                    drain();
                }
                return;
            }
            connection.sendBinary(next).subscribe().with(ok -> {
                sent.incrementAndGet();
                sending.set(false);
                drain();
            }, failure -> sending.set(false));
        }
    }

    @Inject
    ViewerConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private volatile boolean running = true;
    private volatile Thread thread;
    private volatile StreamDirectory directory;

    /**
     * Registers a connection; false when {@code max-viewers} are connected already. A connection that has not sent
     * an accepted token within {@code login-timeout} is closed, so idle sockets cannot hold the slots.
     */
    public boolean open(WebSocketConnection connection) {
        if (viewers.size() >= config.maxViewers()) {
            return false;
        }
        viewers.put(connection.id(), new Viewer(connection));
        LOGIN_TIMER.schedule(() -> {
            Viewer v = viewers.get(connection.id());
            if (v != null && v.user == null) {
                viewers.remove(connection.id());
                connection.close().subscribe().with(ok -> { }, fail -> { });
            }
        }, config.loginTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
    }

    private static final java.util.concurrent.ScheduledExecutorService LOGIN_TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "viewer-login-timeout");
                t.setDaemon(true);
                return t;
            });

    /** The connection's token was accepted: the consumer starts (if it was not running). */
    public void authenticated(String connectionId, String user) {
        Viewer v = viewers.get(connectionId);
        if (v != null) {
            v.user = user;
            ensureStarted();
            wake();
        }
    }

    /** The connection now watches {@code streamId} (null: none). */
    public void watch(String connectionId, String streamId) {
        Viewer v = viewers.get(connectionId);
        if (v != null) {
            v.watching = streamId == null || streamId.isBlank() ? null : streamId;
            v.pending.set(null);
            wake();
        }
    }

    public void close(String connectionId) {
        viewers.remove(connectionId);
        wake();
    }

    /** Streams seen on the mask topic lately. */
    public List<StreamDirectory.StreamInfo> streams() {
        StreamDirectory d = directory();
        return d.list(System.currentTimeMillis());
    }

    public String streamsMessage() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "streams");
        m.put("streams", streams());
        return json(m);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private StreamDirectory directory() {
        StreamDirectory d = directory;
        if (d == null) {
            synchronized (this) {
                if (directory == null) {
                    directory = new StreamDirectory(config.maxStreams(), config.streamTtl());
                }
                d = directory;
            }
        }
        return d;
    }

    private synchronized void ensureStarted() {
        if (thread == null || !thread.isAlive()) {
            directory();
            thread = new Thread(this::run, "viewer-consumer");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        wake();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> createConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "endostream-gateway-viewer");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(config.maxFetchBytes()));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(Math.max(config.maxFetchBytes(), 52428800)));
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void run() {
        KafkaConsumer<byte[], byte[]> consumer = null;
        PairMatcher matcher = new PairMatcher(Math.max(1, config.maxViewers()), config.pairSlots());
        Map<String, Integer> partitionCounts = new HashMap<>();
        long partitionsReadAt = 0;
        long idleSince = -1;
        long lastStreamsPush = 0;
        String lastStreams = "";
        try {
            while (running) {
                Set<String> watched = new HashSet<>();
                boolean anyone = false;
                for (Viewer v : viewers.values()) {
                    if (v.user != null) {
                        anyone = true;
                        if (v.watching != null) {
                            watched.add(v.watching);
                        }
                    }
                }
                long now = System.currentTimeMillis();
                if (!anyone) {
                    if (consumer != null) {
                        if (idleSince < 0) {
                            idleSince = now;
                            consumer.assign(List.of());
                        } else if (now - idleSince > config.idleClose().toMillis()) {
                            consumer.close(Duration.ofSeconds(2));
                            consumer = null;
                            matcher = new PairMatcher(Math.max(1, config.maxViewers()), config.pairSlots());
                            LOG.info("live viewer: no viewer left, consumer closed");
                        }
                    }
                    synchronized (signal) {
                        signal.wait(500);
                    }
                    continue;
                }
                idleSince = -1;
                if (consumer == null) {
                    consumer = createConsumer();
                    partitionCounts.clear();
                    LOG.info("live viewer: consumer started (no group, latest offsets)");
                }
                if (now - partitionsReadAt > 10_000 || partitionCounts.isEmpty()) {
                    for (String topic : List.of(config.masksTopic(), config.framesTopic(), config.shadowTopic())) {
                        try {
                            List<PartitionInfo> infos = consumer.partitionsFor(topic);
                            if (infos != null && !infos.isEmpty()) {
                                partitionCounts.put(topic, infos.size());
                            }
                        } catch (RuntimeException e) {
                            LOG.debugf("live viewer: no partitions of %s yet: %s", topic, e.getMessage());
                        }
                    }
                    partitionsReadAt = now;
                }
                Set<TopicPartition> desired = desired(partitionCounts, watched);
                Set<TopicPartition> current = consumer.assignment();
                if (!desired.equals(current)) {
                    Set<TopicPartition> added = new HashSet<>(desired);
                    added.removeAll(current);
                    consumer.assign(desired);
                    consumer.seekToEnd(added);
                    for (TopicPartition tp : added) {
                        consumer.position(tp); // resolve "end" now, so nothing published from here on is missed
                    }
                }
                matcher.retain(watched);
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        handle(r, watched, matcher);
                    } catch (RuntimeException e) {
                        LOG.debugf("live viewer: skipped a record of %s-%d@%d: %s", r.topic(), r.partition(), r.offset(),
                                e.getMessage());
                    }
                }
                if (now - lastStreamsPush >= 1000) {
                    lastStreamsPush = now;
                    String message = streamsMessage();
                    if (!message.equals(lastStreams)) {
                        lastStreams = message;
                        for (Viewer v : viewers.values()) {
                            if (v.user != null) {
                                v.connection.sendText(message).subscribe().with(ok -> { }, fail -> { });
                            }
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "live viewer consumer stopped");
        } finally {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(2));
            }
            synchronized (this) {
                thread = null;
            }
        }
    }

    private Set<TopicPartition> desired(Map<String, Integer> counts, Set<String> watched) {
        Set<TopicPartition> out = new HashSet<>();
        Integer masks = counts.get(config.masksTopic());
        if (masks != null) {
            for (int i = 0; i < masks; i++) {
                out.add(new TopicPartition(config.masksTopic(), i));
            }
        }
        for (String topic : List.of(config.framesTopic(), config.shadowTopic())) {
            Integer n = counts.get(topic);
            if (n != null) {
                for (String stream : watched) {
                    out.add(new TopicPartition(topic, partitionOf(stream, n)));
                }
            }
        }
        return out;
    }

    /** The partition Kafka's default partitioner puts a keyed record in (murmur2 of the key). */
    public static int partitionOf(String streamId, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void handle(ConsumerRecord<byte[], byte[]> r, Set<String> watched, PairMatcher matcher) {
        if (r.key() == null) {
            return;
        }
        String stream = new String(r.key(), StandardCharsets.UTF_8);
        String topic = r.topic();
        List<PairMatcher.Pair> pairs;
        if (topic.equals(config.masksTopic())) {
            Mask mask = MaskCodec.decode(r.key(), r.value(), headers(r));
            directory().saw(stream, mask.modelName() + ":" + mask.modelVersion(), mask.endToEndMillis(),
                    mask.polypAreaFraction(), System.currentTimeMillis());
            if (!watched.contains(stream)) {
                return;
            }
            pairs = matcher.onMask(mask);
        } else if (!watched.contains(stream)) {
            return; // another stream sharing the partition: not decoded
        } else if (topic.equals(config.framesTopic())) {
            pairs = matcher.onFrame(FrameCodec.decode(r.key(), r.value(), headers(r), topic, r.partition(), r.offset(),
                    r.timestamp()));
        } else {
            pairs = matcher.onShadow(MaskCodec.decode(r.key(), r.value(), headers(r)));
        }
        for (PairMatcher.Pair pair : pairs) {
            byte[] message = ViewerMessages.encode(pair, System.currentTimeMillis());
            for (Viewer v : viewers.values()) {
                if (v.user != null && stream.equals(v.watching)) {
                    v.offer(message);
                }
            }
        }
    }

    private static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, byte[]> h = new LinkedHashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), header.value()); // a repeated name keeps the last value
        }
        return h;
    }
}
