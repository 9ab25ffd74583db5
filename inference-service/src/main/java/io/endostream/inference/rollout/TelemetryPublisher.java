package io.endostream.inference.rollout;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.InstanceTelemetry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publishes this instance's {@link InstanceTelemetry} to {@code endostream.telemetry} (key = instance id) every
 * interval, and a tombstone on a clean shutdown.
 */
public final class TelemetryPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TelemetryPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String instanceId;
    private final String deployment;
    private final Instant startedAt;
    private final TelemetryRecorder recorder;
    private final Supplier<RolloutFollower.Status> status;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "telemetry-publisher");
        t.setDaemon(true);
        return t;
    });

    public TelemetryPublisher(String bootstrapServers, String topic, String instanceId, String deployment,
                              TelemetryRecorder recorder, Supplier<RolloutFollower.Status> status, Clock clock) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, instanceId + "-telemetry"), new StringSerializer(),
                new ByteArraySerializer());
        this.topic = topic;
        this.instanceId = instanceId;
        this.deployment = deployment;
        this.recorder = recorder;
        this.status = status;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::publish, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes one record now. */
    public void publish() {
        try {
            RolloutFollower.Status s = status.get();
            InstanceTelemetry t = new InstanceTelemetry(instanceId, deployment, startedAt.toString(),
                    clock.instant().toString(), s == null ? -1 : s.planRevision(), s != null && s.stale(),
                    recorder.snapshot());
            producer.send(new ProducerRecord<>(topic, instanceId, ControlJson.write(t)));
        } catch (RuntimeException e) {
            LOG.warnf("telemetry not published: %s", e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            producer.send(new ProducerRecord<>(topic, instanceId, null));
        } catch (RuntimeException e) {
            LOG.debugf("no telemetry tombstone: %s", e.getMessage());
        }
        producer.close(Duration.ofSeconds(3));
    }
}
