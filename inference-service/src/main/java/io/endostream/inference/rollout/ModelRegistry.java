package io.endostream.inference.rollout;

import io.endostream.contracts.control.StreamAssignment;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StickyRouter;
import io.endostream.inference.model.LoadedModel;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model versions this instance has loaded and which one serves each stream.
 *
 * <p>Routing follows the current {@link RolloutPlan} through the contracts' {@link StickyRouter}: the version a
 * stream runs is its {@link StreamAssignment} in the {@link AssignmentStore} (shared by every instance when backed by
 * the assignments topic). A new stream follows the current step; a pin or a rollback ({@code rolledBack}) moves it;
 * nothing else does, not even a promotion. A version that is not loaded never takes traffic: its streams are served
 * by the stable version meanwhile (counted in {@link #fallbacks()}). Swapping is {@link #add} (already loaded and
 * warmed) then {@link #retire} (stop routing to the old version, let its in-flight frames finish, then unload).
 *
 * <p>Until a gateway publishes plans, the first version added is stable for every stream.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final Map<ModelRef, LoadedModel> models = new ConcurrentHashMap<>();
    private final AssignmentStore assignments;
    private final String instanceId;
    private final Duration touchInterval;
    private final Clock clock;
    private final AtomicLong fallbacks = new AtomicLong();
    private volatile RolloutPlan plan;

    /** A registry on its own: assignments in memory (10 minutes TTL), touch every 30 s. */
    public ModelRegistry() {
        this(new InMemoryAssignmentStore(Duration.ofMinutes(10), Clock.systemUTC()), InstanceIds.generate(),
                Duration.ofSeconds(30), Clock.systemUTC());
    }

    /**
     * @param assignments   where stream assignments live
     * @param instanceId    this instance, recorded in the assignments it makes
     * @param touchInterval how often a live stream's assignment is re-written with a fresh {@code lastSeenAt}
     */
    public ModelRegistry(AssignmentStore assignments, String instanceId, Duration touchInterval, Clock clock) {
        this.assignments = assignments;
        this.instanceId = instanceId;
        this.touchInterval = touchInterval;
        this.clock = clock;
    }

    /** Makes a loaded, warmed version available for routing. */
    public void add(LoadedModel model) {
        LoadedModel previous = models.put(model.ref(), model);
        if (previous != null && previous != model) {
            retireLater(previous);
        }
        if (plan == null) {
            plan = RolloutPlan.allOn(model.ref(), 0, Instant.now().toString(), "inference-service");
        }
        LOG.infof("model %s loaded on %s, max batch %d", model.ref(), model.model().provider().id(),
                model.model().maxBatch());
    }

    /**
     * Follows a new plan (validated); versions it names but this instance lacks fall back to stable.
     *
     * @return false when the plan is not newer than the one followed (ignored)
     * @throws IllegalArgumentException when its stable version is not loaded here
     */
    public synchronized boolean apply(RolloutPlan next) {
        next.validate();
        RolloutPlan current = plan;
        if (current != null && current.revision() > 0 && !next.isNewerThan(current)) {
            return false;
        }
        if (!models.containsKey(next.stable())) {
            throw new IllegalArgumentException("rollout plan " + next.revision() + " names stable " + next.stable()
                    + " which is not loaded here (loaded: " + models.keySet() + ")");
        }
        plan = next;
        return true;
    }

    /**
     * The routing decision for a frame of {@code streamId}: its primary version, its shadow (or null), and its
     * assignment, written to the store when new, moved or due for a touch.
     */
    public StickyRouter.Decision route(String streamId) {
        RolloutPlan current = plan;
        if (current == null) {
            throw new IllegalStateException("no model loaded yet");
        }
        Instant now = clock.instant();
        StreamAssignment held = assignments.get(streamId);
        StickyRouter.Decision decision = StickyRouter.route(current, held, streamId, instanceId, now);
        if (decision.changed()) {
            assignments.put(decision.assignment());
        } else if (due(decision.assignment(), now)) {
            assignments.put(decision.assignment().seen(now));
        }
        return decision;
    }

    private boolean due(StreamAssignment a, Instant now) {
        String seen = a.lastSeenAt() != null ? a.lastSeenAt() : a.assignedAt();
        return Instant.parse(seen).plus(touchInterval).isBefore(now);
    }

    /**
     * Chooses and acquires the version for a frame of {@code streamId}; call {@link LoadedModel#release()} when
     * its inference is done.
     *
     * @throws IllegalStateException when no version is loaded
     */
    public LoadedModel acquire(String streamId) {
        return acquireRouted(streamId).model();
    }

    /**
     * A frame's version (acquired, as {@link #acquire}) and the version that shadows it, or null: the plan's shadow
     * for this stream, never the version that actually serves it (after a fallback to stable too).
     */
    public record Acquired(LoadedModel model, ModelRef shadow) {
    }

    /** {@link #acquire} with the stream's shadow version from the same routing decision. */
    public Acquired acquireRouted(String streamId) {
        RolloutPlan current = plan;
        StickyRouter.Decision decision = route(streamId);
        LoadedModel model = tryAcquire(decision.primary());
        if (model == null) {
            fallbacks.incrementAndGet();
            model = tryAcquire(current.stable());
        }
        if (model == null) {
            model = models.values().stream().filter(LoadedModel::tryAcquire).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no model version can take frames"));
        }
        ModelRef shadow = decision.shadow();
        return new Acquired(model, shadow == null || shadow.equals(model.ref()) ? null : shadow);
    }

    /** Frames served by stable because their stream's version was not loaded (or retiring) here. */
    public long fallbacks() {
        return fallbacks.get();
    }

    /** Whether a version is loaded and takes frames. */
    public boolean serves(ModelRef ref) {
        LoadedModel model = models.get(ref);
        return model != null && !model.retiring();
    }

    public String instanceId() {
        return instanceId;
    }

    private LoadedModel tryAcquire(ModelRef ref) {
        LoadedModel model = ref == null ? null : models.get(ref);
        return model != null && model.tryAcquire() ? model : null;
    }

    /** Stops routing to {@code ref}; unloads it once its in-flight frames are done. */
    public CompletableFuture<Void> retire(ModelRef ref) {
        LoadedModel model = models.remove(ref);
        if (model == null) {
            return CompletableFuture.completedFuture(null);
        }
        return retireLater(model);
    }

    private CompletableFuture<Void> retireLater(LoadedModel model) {
        return model.retire().thenRun(() -> {
            model.close();
            LOG.infof("model %s unloaded after draining", model.ref());
        });
    }

    /** True when the plan's stable version is loaded (and therefore warmed up). */
    public boolean ready() {
        RolloutPlan current = plan;
        return current != null && models.containsKey(current.stable());
    }

    public RolloutPlan plan() {
        return plan;
    }

    public List<LoadedModel> models() {
        return new ArrayList<>(models.values());
    }

    public LoadedModel get(ModelRef ref) {
        return models.get(Objects.requireNonNull(ref));
    }

    @Override
    public void close() {
        for (ModelRef ref : List.copyOf(models.keySet())) {
            retire(ref).join();
        }
    }
}
