package io.endostream.inference.rollout;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.control.StreamAssignment;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.model.ModelArtifact;
import io.endostream.inference.model.ModelLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows the gateway's control topics ({@code endostream.rollouts} for one deployment, {@code endostream.models},
 * {@code endostream.assignments}) and makes this instance serve the latest plan: every version the plan (or a live
 * stream's assignment) needs is fetched from the gateway, its SHA-256 verified against the registered manifest,
 * loaded and warmed up <em>before</em> the plan is applied, so no stream is routed to a version that is not ready.
 * A version that fails (unreachable, SHA-256 mismatch, load error) never takes traffic: it is logged, counted and
 * retried later, and the versions already loaded keep serving. A plan whose stable version cannot be loaded is not
 * applied: the last plan keeps serving. Versions no longer needed are retired (unloaded once their frames are done).
 *
 * <p>When the broker or the gateway cannot be reached the instance keeps serving on the last plan it knows and
 * says so in {@link #status()} (health data and metrics), without going unready.
 */
public final class RolloutFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RolloutFollower.class);

    /** Loads, warms up and registers a verified version (in the service: {@code InferenceService.load}). */
    public interface VersionLoader {
        void load(ModelArtifact artifact);
    }

    /**
     * @param deployment     the deployment whose plan this instance follows
     * @param rolloutsTopic  {@code endostream.rollouts}
     * @param modelsTopic    {@code endostream.models}
     * @param assignmentsTopic {@code endostream.assignments}
     * @param assignmentTtl  assignments idle longer than this are ended (their versions are not kept loaded)
     * @param retryAfter     how long a failed version waits before the next attempt
     */
    public record Settings(String deployment, String rolloutsTopic, String modelsTopic, String assignmentsTopic,
                           Duration assignmentTtl, Duration retryAfter) {
    }

    /** What the follower knows, for health and metrics. */
    public record Status(long planRevision, long pendingRevision, boolean brokerReachable, boolean gatewayReachable,
                         Instant lastBrokerContact, Map<String, String> failedVersions, long verificationFailures,
                         long loadFailures) {
        /** True when the plan may be out of date: the broker or the gateway cannot be reached. */
        public boolean stale() {
            return !brokerReachable || !gatewayReachable;
        }
    }

    private record Failure(String message, Instant retryAt) {
    }

    private final Settings settings;
    private final ModelRegistry registry;
    private final KafkaAssignmentStore assignments;
    private final GatewayClient gateway;
    private final ModelLoader loader;
    private final VersionLoader versionLoader;
    private final Clock clock;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<String, ModelVersionRecord> versions = new ConcurrentHashMap<>();
    private final Map<ModelRef, Failure> failures = new ConcurrentHashMap<>();
    private final AtomicLong verificationFailures = new AtomicLong();
    private final AtomicLong loadFailures = new AtomicLong();
    private final TelemetryRecorder telemetry;
    private volatile RolloutPlan pending;
    private volatile long appliedRevision = -1;
    private volatile boolean brokerReachable = true;
    private volatile boolean gatewayReachable = true;
    private volatile Instant lastBrokerContact = Instant.EPOCH;
    private volatile boolean running = true;
    private Instant nextProbe = Instant.EPOCH;
    private Thread thread;
    /** Released once the control topics are read up to their end offsets at start and the latest plan is applied. */
    private final CountDownLatch synced = new CountDownLatch(1);
    private Map<TopicPartition, Long> syncTarget = Map.of();

    public RolloutFollower(String bootstrapServers, Settings settings, ModelRegistry registry,
                           KafkaAssignmentStore assignments, GatewayClient gateway, ModelLoader loader,
                           VersionLoader versionLoader, TelemetryRecorder telemetry, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.assignments = assignments;
        this.gateway = gateway;
        this.loader = loader;
        this.versionLoader = versionLoader;
        this.telemetry = telemetry;
        this.clock = clock;
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, registry.instanceId() + "-control");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Starts following in a daemon thread. Until every control topic exists (the gateway creates them) and the broker
     * answers, the instance serves on what it has and retries every few seconds: it never fails for a missing
     * control plane.
     */
    public void start() {
        thread = new Thread(this::run, "rollout-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private boolean assign() {
        List<TopicPartition> found = new ArrayList<>();
        for (String topic : List.of(settings.modelsTopic(), settings.assignmentsTopic(), settings.rolloutsTopic())) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                infos = null;
            }
            if (infos == null || infos.isEmpty()) {
                brokerReachable = false;
                LOG.warnf("control topic %s not found yet (the gateway creates it): serving on what is loaded; "
                        + "retrying", topic);
                return false;
            }
            infos.forEach(i -> found.add(new TopicPartition(topic, i.partition())));
        }
        partitions.addAll(found);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        syncTarget = consumer.endOffsets(partitions, Duration.ofSeconds(5));
        return true;
    }

    private void run() {
        while (running && !assign()) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
        }
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
                probe();
                reconcile();
                checkSynced();
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                LOG.warnf("rollout follower: %s", e.toString());
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(settings.modelsTopic())) {
                if (r.value() == null) {
                    versions.remove(r.key());
                } else {
                    versions.put(r.key(), ControlJson.read(r.value(), ModelVersionRecord.class));
                }
            } else if (r.topic().equals(settings.assignmentsTopic())) {
                assignments.applyRemote(r.key(), r.value());
            } else if (r.topic().equals(settings.rolloutsTopic()) && settings.deployment().equals(r.key())) {
                if (r.value() == null) {
                    LOG.warnf("deployment %s was decommissioned (tombstone): serving on plan %d", r.key(), appliedRevision);
                    return;
                }
                RolloutPlan plan = RolloutPlan.fromJson(r.value()).validate();
                if (plan.isNewerThan(pending)) {
                    pending = plan;
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("skipping unreadable control record %s@%d (key %s): %s", r.topic(), r.offset(), r.key(),
                    e.getMessage());
        }
    }

    private void probe() {
        Instant now = clock.instant();
        if (now.isBefore(nextProbe)) {
            return;
        }
        nextProbe = now.plusSeconds(2);
        try {
            consumer.endOffsets(partitions, Duration.ofSeconds(2));
            lastBrokerContact = now;
            brokerReachable = true;
        } catch (RuntimeException e) {
            if (brokerReachable) {
                LOG.warnf("control topics unreachable (%s): serving on plan %d", e.getMessage(), appliedRevision);
            }
            brokerReachable = false;
        }
        boolean up = gateway.reachable();
        if (!up && gatewayReachable) {
            LOG.warnf("gateway unreachable: serving on plan %d", appliedRevision);
        }
        gatewayReachable = up;
    }

    /** Loads what the latest plan needs, then applies it. Runs in the follower thread (also callable by tests). */
    synchronized void reconcile() {
        RolloutPlan plan = pending;
        if (plan == null) {
            return;
        }
        Set<ModelRef> needed = needed(plan);
        boolean retryDue = failures.values().stream().anyMatch(f -> !clock.instant().isBefore(f.retryAt()));
        if (plan.revision() == appliedRevision && !retryDue && needed.stream().allMatch(this::servedOrFailed)) {
            return;
        }
        for (ModelRef ref : needed) {
            ensureLoaded(ref);
        }
        if (plan.revision() != appliedRevision) {
            if (!registry.serves(plan.stable())) {
                LOG.errorf("plan %d not applied: its stable version %s is not loaded here (%s); serving on plan %d",
                        plan.revision(), plan.stable(), failures.getOrDefault(plan.stable(), new Failure("?", null))
                                .message(), appliedRevision);
                return;
            }
            registry.apply(plan);
            appliedRevision = plan.revision();
            LOG.infof("following plan %d of %s: stable %s, canary %s at %.2f%%, shadow %s", plan.revision(),
                    settings.deployment(), plan.stable(), plan.canary(), plan.canaryPercent(), plan.shadow());
            for (var model : registry.models()) {
                if (!needed.contains(model.ref()) && !model.retiring()) {
                    LOG.infof("retiring %s: no plan entry and no live stream needs it", model.ref());
                    registry.retire(model.ref());
                }
            }
        }
    }

    private void checkSynced() {
        if (synced.getCount() == 0) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> end : syncTarget.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        RolloutPlan plan = pending;
        if (plan != null && plan.revision() != appliedRevision) {
            return;
        }
        synced.countDown();
        LOG.infof("control topics read to their end: following plan %d with %d known stream assignments",
                appliedRevision, assignments.table().snapshot().size());
    }

    /**
     * Waits until the control topics have been read up to the end offsets they had when following began (so every
     * stream assignment made before this instance started is known) and the latest plan found there is applied.
     * Frames must not be routed before: a stream would be treated as new (its sticky assignment not yet read) or be
     * served by the start-up model instead of its version.
     *
     * @return false when {@code timeout} passed first (broker or gateway unreachable, stable version not loadable)
     */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean servedOrFailed(ModelRef ref) {
        return registry.serves(ref) || failures.containsKey(ref);
    }

    private Set<ModelRef> needed(RolloutPlan plan) {
        Set<ModelRef> needed = new LinkedHashSet<>();
        needed.add(plan.stable());
        if (plan.canary() != null) {
            needed.add(plan.canary());
        }
        if (plan.shadow() != null) {
            needed.add(plan.shadow());
        }
        needed.addAll(plan.pins().values());
        Instant now = clock.instant();
        for (StreamAssignment a : assignments.table().snapshot().values()) {
            if (settings.deployment().equals(a.deployment()) && !a.expired(now, settings.assignmentTtl())
                    && !plan.rolledBack().contains(a.model())) {
                needed.add(a.model());
            }
        }
        return needed;
    }

    private void ensureLoaded(ModelRef ref) {
        if (registry.serves(ref)) {
            failures.remove(ref);
            return;
        }
        Failure failed = failures.get(ref);
        if (failed != null && clock.instant().isBefore(failed.retryAt())) {
            return;
        }
        ModelVersionRecord record = versions.get(ref.name() + ":" + ref.version());
        if (record == null) {
            fail(ref, "not registered: no record on " + settings.modelsTopic());
            return;
        }
        try {
            Path dir = gateway.fetch(record);
            ModelArtifact artifact = loader.fromDirectory(dir);
            versionLoader.load(artifact);
            failures.remove(ref);
            LOG.infof("version %s fetched, verified (SHA-256 %s), loaded and warmed up", ref, record.sha256());
        } catch (GatewayClient.VerificationException e) {
            verificationFailures.incrementAndGet();
            fail(ref, e.getMessage());
        } catch (Exception e) {
            fail(ref, e.getMessage());
        }
    }

    private void fail(ModelRef ref, String message) {
        loadFailures.incrementAndGet();
        if (telemetry != null) {
            telemetry.loadFailure(ref);
        }
        failures.put(ref, new Failure(message, clock.instant().plus(settings.retryAfter())));
        LOG.errorf("version %s cannot take traffic here: %s (retry in %s; the loaded versions keep serving)", ref,
                message, settings.retryAfter());
    }

    public Status status() {
        Map<String, String> failed = new HashMap<>();
        failures.forEach((ref, f) -> failed.put(ref.toString(), f.message()));
        RolloutPlan p = pending;
        return new Status(appliedRevision, p == null ? -1 : p.revision(), brokerReachable, gatewayReachable,
                lastBrokerContact, failed, verificationFailures.get(), loadFailures.get());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
