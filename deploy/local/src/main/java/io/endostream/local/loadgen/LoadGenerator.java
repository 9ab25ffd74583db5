package io.endostream.local.loadgen;

import io.endostream.contracts.Topics;
import io.endostream.local.kafka.EndoStreamTopics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Drives a running stack and its floor in the same run: for each repeat, a phase against the plain Kafka relay, then
 * one against the service (endoscopy.frames in, endoscopy.masks and the dead letters out). Alternating keeps both
 * under the same machine conditions; running them at once would make them compete for the same cores.
 */
public final class LoadGenerator {

    /** Relay floor topics: its own, so relay traffic never reaches the service. */
    public static final String RELAY_IN = "endostream.loadgen.relay.in";
    public static final String RELAY_OUT = "endostream.loadgen.relay.out";
    public static final String RELAY = "relay";
    public static final String SERVICE = "service";

    private final String bootstrap;
    private final LoadSettings settings;
    private final FrameSet frames;
    private final PrintStream log;

    public LoadGenerator(String bootstrap, LoadSettings settings, FrameSet frames, PrintStream log) {
        this.bootstrap = bootstrap;
        this.settings = settings;
        this.frames = frames;
        this.log = log;
    }

    /**
     * Runs {@code settings.repeats()} rounds over {@code targets} (any of {@link #RELAY}, {@link #SERVICE}).
     *
     * @param skips the service's skip counter (or {@link SkipCounter#NONE})
     * @param stop  set to end early (Ctrl-C): the phases done so far are reported
     */
    public LoadReport run(String command, List<String> targets, String serviceMetricsUrl, AtomicBoolean stop)
            throws InterruptedException {
        if (targets.contains(RELAY)) {
            createRelayTopics();
        }
        SkipCounter skips = serviceMetricsUrl == null ? SkipCounter.NONE : SkipCounter.prometheus(serviceMetricsUrl);
        List<PhaseResult> phases = new ArrayList<>();
        for (int repeat = 1; repeat <= settings.repeats() && !stop.get(); repeat++) {
            for (String target : targets) {
                if (stop.get()) {
                    break;
                }
                log.printf("[loadgen] %s, repeat %d of %d: %d stream(s) x %s fps for %s s ...%n", target, repeat,
                        settings.repeats(), settings.streams(), settings.fps(), settings.seconds());
                PhaseResult result = target.equals(RELAY) ? runRelay(repeat)
                        : new LoadPhase(bootstrap, settings, frames, new LoadPhase.Target(SERVICE, Topics.FRAMES,
                                Topics.MASKS, Topics.FRAMES_DLQ)).run(repeat, skips);
                log.printf(java.util.Locale.ROOT, "[loadgen]   %d frames: %d answered with a mask, %d dead letters, "
                        + "%d unanswered, %d duplicates; p50 %.1f / p99 %.1f / p99.9 %.1f ms%n", result.sent(),
                        result.delivered(), result.deadLetters(), result.unanswered(), result.duplicates(),
                        result.p50Ms(), result.p99Ms(), result.p999Ms());
                phases.add(result);
            }
        }
        return LoadReport.of(command, frames, settings, phases);
    }

    private PhaseResult runRelay(int repeat) throws InterruptedException {
        try (RelayFloor relay = new RelayFloor(bootstrap, RELAY_IN, RELAY_OUT)) {
            PhaseResult result = new LoadPhase(bootstrap, settings, frames,
                    new LoadPhase.Target(RELAY, RELAY_IN, RELAY_OUT, null)).run(repeat, SkipCounter.NONE);
            if (relay.failure() != null) {
                throw new IllegalStateException("the relay failed: " + relay.failure(), relay.failure());
            }
            return result;
        }
    }

    /** The relay's topics, partitioned like the frame topic, kept 10 minutes: measurement traffic, not data. */
    private void createRelayTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            int partitions = admin.describeTopics(List.of(Topics.FRAMES)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.FRAMES).partitions().size();
            Map<String, String> configs = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES), TopicConfig.RETENTION_MS_CONFIG, "600000");
            for (String topic : List.of(RELAY_IN, RELAY_OUT)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
                            .get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create " + topic + ": " + e.getCause(), e);
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no EndoStream broker at " + bootstrap + " (topic " + Topics.FRAMES
                    + " not found; is the stack up?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
