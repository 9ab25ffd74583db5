package io.endostream.inference.model;

import io.endostream.contracts.rollout.ModelRef;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A model version ready to take traffic: its session (warmed up), its pre/post-processing from the manifest and
 * its batcher thread. Counts frames in flight so a retired version unloads only after they are done.
 */
public final class LoadedModel implements AutoCloseable {

    private final SegmentationModel model;
    private final Preprocessor preprocessor;
    private final Postprocessor postprocessor;
    private final DynamicBatcher batcher;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean retiring;

    private LoadedModel(SegmentationModel model, Duration maxBatchWait, IntConsumer batchSizes) {
        this.model = model;
        this.preprocessor = new Preprocessor(model.manifest().input());
        this.postprocessor = new Postprocessor(model.manifest().output());
        this.batcher = new DynamicBatcher(model, postprocessor, maxBatchWait, batchSizes);
    }

    /** Verifies, opens and warms up {@code artifact}; throws {@link ModelLoadException} naming the problem. */
    public static LoadedModel load(ModelArtifact artifact, SessionSettings settings, Duration maxBatchWait,
                                   IntConsumer batchSizes) {
        return new LoadedModel(SegmentationModel.open(artifact, settings), maxBatchWait, batchSizes);
    }

    /** Takes a frame in; false when the version is retiring (route elsewhere). Pair with {@link #release()}. */
    public boolean tryAcquire() {
        inFlight.incrementAndGet();
        if (retiring) {
            release();
            return false;
        }
        return true;
    }

    /** A frame no longer needs the session (its inference is done or it failed before). */
    public void release() {
        if (inFlight.decrementAndGet() == 0 && retiring) {
            drainedOffFramePath();
        }
    }

    /**
     * Stops taking frames; the returned stage completes when the frames in flight are done, always on the unloader
     * thread: the last release often runs on this version's own inference thread (or a codec thread), and whatever
     * follows the drain (closing the batcher, which joins that thread) must not run there.
     */
    public CompletableFuture<Void> retire() {
        retiring = true;
        if (inFlight.get() == 0) {
            drainedOffFramePath();
        }
        return drained;
    }

    private void drainedOffFramePath() {
        if (!drained.isDone()) {
            drained.completeAsync(() -> null, UNLOADER);
        }
    }

    /** One daemon thread, started on first use, that runs what follows a drained version (its unload). */
    private static final java.util.concurrent.Executor UNLOADER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "model-unloader");
        t.setDaemon(true);
        return t;
    });

    public boolean retiring() {
        return retiring;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public ModelRef ref() {
        return model.ref();
    }

    public SegmentationModel model() {
        return model;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public Postprocessor postprocessor() {
        return postprocessor;
    }

    public DynamicBatcher batcher() {
        return batcher;
    }

    /** Stops the batcher (waiting for its queue unless called on its own thread), then frees the session. */
    @Override
    public void close() {
        if (batcher.isBatcherThread()) { // never free the session under the thread that is using it
            UNLOADER.execute(this::close);
            return;
        }
        batcher.close();
        model.close();
        preprocessor.close();
    }
}
