package io.endostream.inference.rollout;

import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StreamRouter;
import io.endostream.inference.model.LoadedModel;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model versions this instance has loaded and which one serves each stream.
 *
 * <p>Routing follows the current {@link RolloutPlan} through the contracts' {@link StreamRouter} and is
 * stream-sticky: a stream keeps the version it started with while the plan still serves that version (as stable
 * or canary); a pin, or a plan that drops the version (rollback), moves it. A version that is not loaded never
 * takes traffic: its streams go to the stable version. Swapping is {@link #add} (already loaded and warmed)
 * then {@link #retire} (stop routing to the old version, let its in-flight frames finish, then unload).
 *
 * <p>Until a gateway publishes plans, the first version added is stable for every stream.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final Map<ModelRef, LoadedModel> models = new ConcurrentHashMap<>();
    private final Map<String, ModelRef> sticky = new ConcurrentHashMap<>();
    private volatile RolloutPlan plan;

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

    /** Follows a new plan (validated); versions it names but this instance lacks fall back to stable. */
    public void apply(RolloutPlan next) {
        next.validate();
        if (!models.containsKey(next.stable())) {
            throw new IllegalArgumentException("rollout plan " + next.revision() + " names stable " + next.stable()
                    + " which is not loaded here (loaded: " + models.keySet() + ")");
        }
        plan = next;
    }

    /**
     * Chooses and acquires the version for a frame of {@code streamId}; call {@link LoadedModel#release()} when
     * its inference is done.
     *
     * @throws IllegalStateException when no version is loaded
     */
    public LoadedModel acquire(String streamId) {
        RolloutPlan current = plan;
        if (current == null) {
            throw new IllegalStateException("no model loaded yet");
        }
        StreamRouter.Route route = StreamRouter.route(current, streamId);
        ModelRef chosen = route.primary();
        if (!StreamRouter.Route.PIN.equals(route.because())) {
            ModelRef started = sticky.get(streamId);
            if (started != null && (started.equals(current.stable()) || started.equals(current.canary()))) {
                chosen = started;
            }
        }
        LoadedModel model = tryAcquire(chosen);
        if (model == null) {
            model = tryAcquire(current.stable());
        }
        if (model == null) {
            model = models.values().stream().filter(LoadedModel::tryAcquire).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no model version can take frames"));
        }
        sticky.put(streamId, model.ref());
        return model;
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
