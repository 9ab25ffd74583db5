package io.endostream.gateway.app;

import io.endostream.gateway.core.ArtifactStore;
import io.endostream.gateway.core.FencedException;
import io.endostream.gateway.core.GatewayCore;
import io.endostream.gateway.core.RolloutController;
import io.endostream.gateway.core.TopicNames;
import io.endostream.gateway.kafka.ControlTopicFollower;
import io.endostream.gateway.kafka.ControlTopicsSetup;
import io.endostream.gateway.kafka.KafkaControlLog;
import io.endostream.gateway.onnx.OrtGraphChecker;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wires the plain-Java gateway core into Quarkus at start-up: checks the configuration, creates the control topics,
 * takes the writer role (fencing any older gateway), rebuilds the state from the topics, then follows telemetry and
 * assignments and runs the analysis and the expiry of ended streams on a schedule.
 */
@Startup
@ApplicationScoped
public class GatewayService {

    private static final Logger LOG = Logger.getLogger(GatewayService.class);

    @Inject
    GatewayConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> publicKeyLocation;

    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> publicKey;

    private GatewayCore core;
    private KafkaControlLog log;
    private ControlTopicFollower follower;
    private ScheduledExecutorService scheduler;

    @PostConstruct
    void start() {
        List<String> problems = GatewayConfigCheck.problems(config, publicKeyLocation, publicKey);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
        GatewayConfig.Kafka k = config.kafka();
        TopicNames topics = new TopicNames(k.modelsTopic(), k.rolloutsTopic(), k.assignmentsTopic(), k.telemetryTopic(),
                k.auditTopic());
        if (k.createTopics()) {
            ControlTopicsSetup.create(bootstrapServers, topics);
        }
        // fence first, then read: everything an older writer committed is in what we read
        log = new KafkaControlLog(bootstrapServers, k.transactionalId(), Map.of());
        core = new GatewayCore(new ArtifactStore(config.store().dir()), new OrtGraphChecker(), log, topics,
                Clock.systemUTC(), new RolloutController.Settings(config.rollout().steps(),
                GatewayConfigCheck.gates(config)));
        follower = new ControlTopicFollower(bootstrapServers, List.of(topics.models(), topics.rollouts(),
                topics.assignments(), topics.telemetry(), topics.audit()), "endostream-gateway-follower");
        long records = follower.catchUp(core::apply, k.rebuildTimeout());
        LOG.infof("gateway state rebuilt from %d control records: %d model versions, %d deployments, %d audit entries",
                records, core.registry().list().size(), core.rollouts().plans().size(), core.audit().size());
        follower.follow(core::apply, Set.of(topics.assignments(), topics.telemetry()));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-analysis");
            t.setDaemon(true);
            return t;
        });
        long every = config.analysis().interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::analyse, every, every, TimeUnit.MILLISECONDS);
        long expiry = config.assignments().expiryInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::expire, expiry, expiry, TimeUnit.MILLISECONDS);
    }

    /** One analysis round (also called by tests instead of waiting for the schedule). */
    public List<String> analyse() {
        try {
            List<String> decisions = core.rollouts().tick();
            decisions.forEach(d -> LOG.infof("analysis: %s", d));
            return decisions;
        } catch (FencedException e) {
            LOG.warn(e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "analysis round failed");
        }
        return List.of();
    }

    private void expire() {
        try {
            int n = core.expireAssignments(config.assignments().ttl());
            if (n > 0) {
                LOG.infof("expired %d ended streams' assignments", n);
            }
        } catch (RuntimeException e) {
            LOG.warnf("assignment expiry failed: %s", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (follower != null) {
            follower.close();
        }
        if (log != null) {
            log.close();
        }
    }

    public GatewayCore core() {
        return core;
    }

    public boolean fenced() {
        return log != null && log.fenced();
    }

    public ControlTopicFollower follower() {
        return follower;
    }
}
