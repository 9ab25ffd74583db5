package io.endostream.inference.shadow;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.contracts.mask.Region;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.inference.mask.MaskEncoder;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.Postprocessor;
import io.endostream.inference.model.Preprocessor;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.rollout.TelemetryRecorder;
import io.endostream.inference.stream.FaultInjector;
import io.endostream.inference.stream.RegionCap;
import org.jboss.logging.Logger;
import org.opencv.core.Mat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shadow path: a candidate version also runs on frames of the streams its plan shadows, on one thread of its
 * own, best effort under a {@link ShadowBudget}, and never in the primary's way.
 * <pre>
 *   codec thread (after decode)  {@link #offer}: budget check, the candidate acquired, a copy of the decoded image
 *                                (no second decode); refused = dropped and counted, the primary goes on alone
 *   codec thread (primary mask)  {@link Pending#primaryMasked}: the primary mask is handed over after it went to its
 *                                lane (never waited for); queued for the shadow thread
 *   shadow thread                candidate's preprocess -> ONNX Runtime (its own tensors, {@code runAlone}) ->
 *                                threshold -> mask at frame size -> Dice/IoU against the primary mask
 *                                (TelemetryRecorder) -> 1-bit PNG -> shadow topic (ce_shadowof = primary version)
 * </pre>
 * Ownership: the {@link Pending} owns the image copy, the acquired candidate and its budget place until it is run
 * or cancelled, exactly once; after {@link Pending#primaryMasked} it owns the primary mask too. The shadow thread
 * frees all of it (every Mat, the pooled sample; tensors are closed inside {@code runAlone}). A candidate that
 * throws (an Error too) fails only its shadow frame: counted, logged at most once per interval.
 */
public final class ShadowRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShadowRunner.class);

    private final ModelRegistry models;
    private final ShadowPublisher publisher;
    private final TelemetryRecorder telemetry;
    private final ShadowMetrics metrics;
    private final ShadowSettings settings;
    private final ShadowBudget budget;
    private final MaskEncoder encoder;
    private final Clock clock;
    private final FaultInjector faults;
    private final ExecutorService thread;
    private final Throttle failureLog;
    private final Throttle publishLog;
    private final AtomicLong failuresSinceLog = new AtomicLong();
    private volatile boolean closed;

    public ShadowRunner(ModelRegistry models, ShadowPublisher publisher, TelemetryRecorder telemetry,
                        io.micrometer.core.instrument.MeterRegistry meters, ShadowSettings settings, Clock clock,
                        FaultInjector faults) {
        this.models = models;
        this.publisher = publisher;
        this.telemetry = telemetry;
        this.settings = settings;
        this.budget = new ShadowBudget(settings.maxQueued(), settings.maxShare(), System::nanoTime);
        this.metrics = new ShadowMetrics(meters, budget::queued);
        this.encoder = new MaskEncoder(settings.pngCompression());
        this.clock = clock;
        this.faults = faults;
        this.failureLog = new Throttle(settings.failureLogInterval().toNanos());
        this.publishLog = new Throttle(settings.failureLogInterval().toNanos());
        // one thread: shadow work can take at most one core of Java work (plus the candidate's ONNX Runtime threads);
        // its queue is bounded by the budget (max-queued), not by the executor. Big stack: ONNX Runtime runs here.
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(null, r, "shadow-inference", 16L * 1024 * 1024);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A frame of a shadowed stream was decoded (codec thread): takes a budget place, the candidate and a copy of the
     * decoded image. Never blocks and never throws; null when the shadow does not run on this frame (counted).
     *
     * @param shadow  the candidate to run
     * @param primary the version serving the frame (its mask is the reference)
     * @param decoded the decoded BGR image (not taken: copied)
     * @param width   the frame's width (the masks' size)
     * @param height  the frame's height
     * @param primaryWaitNanos how long the frame waited for a codec thread: beyond {@code maxPrimaryWait} the CPU
     *                         is behind the primary path and the shadow stays out of its way
     */
    public Pending offer(ModelRef shadow, ModelRef primary, Frame frame, Mat decoded, int width, int height,
                         long primaryWaitNanos) {
        String version = shadow.version();
        if (closed) {
            metrics.dropped(version, "shutting-down");
            return null;
        }
        if (primaryWaitNanos > settings.maxPrimaryWait().toNanos()) {
            metrics.dropped(version, "primary-behind");
            telemetry.shadowDropped(shadow);
            return null;
        }
        ShadowBudget.Refusal refusal = budget.tryEnter();
        if (refusal != null) {
            metrics.dropped(version, refusal.tag());
            telemetry.shadowDropped(shadow);
            return null;
        }
        LoadedModel model = models.get(shadow);
        if (model == null || !model.tryAcquire()) {
            budget.unused();
            metrics.dropped(version, "not-loaded");
            return null;
        }
        try {
            return new Pending(model, primary, frame, decoded.clone(), width, height);
        } catch (Throwable e) { // e.g. no memory for the copy: the primary must not notice
            model.release();
            budget.unused();
            failed(shadow, frame, e);
            return null;
        }
    }

    /** A shadow frame waiting for its primary mask; ends exactly once: {@link #primaryMasked} or {@link #cancel}. */
    public final class Pending {
        private final LoadedModel model;
        private final ModelRef primary;
        private final Frame frame;
        private final Mat image;
        private final int width;
        private final int height;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Pending(LoadedModel model, ModelRef primary, Frame frame, Mat image, int width, int height) {
            this.model = model;
            this.primary = primary;
            this.frame = frame;
            this.image = image;
            this.width = width;
            this.height = height;
        }

        /**
         * The primary mask of the frame (CV_8UC1 0/255 at the frame's size) is out: queues the shadow run. Takes
         * ownership of {@code primaryMask}. Never blocks and never throws.
         */
        public void primaryMasked(Mat primaryMask) {
            if (!ended.compareAndSet(false, true)) {
                primaryMask.release();
                return;
            }
            try {
                thread.execute(() -> run(this, primaryMask));
            } catch (RejectedExecutionException e) { // closed meanwhile
                primaryMask.release();
                free(this);
                metrics.dropped(model.ref().version(), "shutting-down");
            }
        }

        /** The frame ended without a primary mask (dead letter): nothing to compare with, so nothing runs. */
        public void cancel() {
            if (ended.compareAndSet(false, true)) {
                free(this);
                metrics.dropped(model.ref().version(), "no-primary-mask");
            }
        }
    }

    private void free(Pending p) {
        p.image.release();
        p.model.release();
        budget.unused();
    }

    /** On the shadow thread. */
    private void run(Pending p, Mat primaryMask) {
        long start = System.nanoTime();
        ModelRef shadow = p.model.ref();
        Preprocessor.Sample sample = null;
        Mat output = null;
        Mat small = null;
        Postprocessor.Result result = null;
        WireRecord record = null;
        try {
            sample = p.model.preprocessor().process(p.image);
            faults.beforeShadowInference(p.frame);
            long inferenceStart = System.nanoTime();
            output = p.model.model().runAlone(sample.floats());
            double inferenceMillis = (System.nanoTime() - inferenceStart) / 1e6;
            sample.close();
            sample = null;
            small = p.model.postprocessor().binarize(output);
            result = p.model.postprocessor().toFrame(small, p.width, p.height);
            double[] agreement = agreement(result.mask(), primaryMask);
            byte[] png = encoder.encode(result.mask());
            List<Region> regions = RegionCap.kept(result.regions(), settings.maxRegions(), settings.minRegionArea());
            Frame f = p.frame;
            Mask mask = new Mask(f.streamId(), f.frameId(), f.sequence(), f.captureTimeMillis(), shadow.name(),
                    shadow.version(), inferenceMillis, Math.max(0, clock.millis() - f.captureTimeMillis()),
                    result.areaFraction(), regions, p.width, p.height, png);
            record = MaskCodec.encodeShadow(mask, p.primary.toString());
            record.headers().put(RecordHeaders.REGIONS_OMITTED,
                    Utf8.bytes(Integer.toString(result.regions().size() - regions.size())));
            telemetry.shadow(shadow, agreement[0], agreement[1]);
            metrics.ran(shadow.version());
        } catch (Throwable e) { // the candidate's fault (an Error too): this shadow frame ends here, nothing else
            failed(shadow, p.frame, e);
        } finally {
            if (sample != null) {
                sample.close();
            }
            release(output);
            release(small);
            if (result != null) {
                result.close();
            }
            primaryMask.release();
            p.image.release();
            p.model.release();
            budget.finished(System.nanoTime() - start);
        }
        if (record != null) {
            publish(record);
        }
    }

    private void publish(WireRecord record) {
        try {
            publisher.publishShadowMask(record).whenComplete((ok, error) -> {
                if (error != null) {
                    publishFailed(error);
                }
            });
        } catch (Throwable e) {
            publishFailed(e);
        }
    }

    private void publishFailed(Throwable error) {
        metrics.publishFailed();
        if (publishLog.due()) {
            LOG.warnf("a shadow mask could not be published (%s); counted in endostream_shadow_publish_failures_total,"
                    + " logged at most once per %s", error.toString(), settings.failureLogInterval());
        }
    }

    private void failed(ModelRef shadow, Frame frame, Throwable error) {
        metrics.failed(shadow.version());
        telemetry.shadowError(shadow);
        long since = failuresSinceLog.incrementAndGet();
        if (failureLog.due()) {
            failuresSinceLog.addAndGet(-since);
            LOG.errorf(error, "shadow %s failed on frame %s of stream %s (%d shadow failures since the last such log; "
                            + "logged at most once per %s, every failure counted in endostream_shadow_failures_total); "
                            + "the primary path is not affected", shadow, frame.frameId(), frame.streamId(), since,
                    settings.failureLogInterval());
        }
    }

    /** True at most once per interval (the first call included), across threads. */
    private static final class Throttle {
        private final long intervalNanos;
        private final AtomicLong next = new AtomicLong();
        private final AtomicBoolean started = new AtomicBoolean();

        Throttle(long intervalNanos) {
            this.intervalNanos = intervalNanos;
        }

        boolean due() {
            long now = System.nanoTime();
            if (started.compareAndSet(false, true)) {
                next.set(now + intervalNanos);
                return true;
            }
            long at = next.get();
            return now - at >= 0 && next.compareAndSet(at, now + intervalNanos);
        }
    }

    private static void release(Mat mat) {
        if (mat != null) {
            mat.release();
        }
    }

    /** Dice and IoU of two CV_8UC1 masks of one size (contracts' rule, empty vs empty = 1). */
    static double[] agreement(Mat shadow, Mat primary) {
        if (shadow.rows() != primary.rows() || shadow.cols() != primary.cols()) {
            throw new IllegalArgumentException("masks differ in size: " + shadow.size() + " vs " + primary.size());
        }
        byte[] a = new byte[(int) shadow.total()];
        byte[] b = new byte[(int) primary.total()];
        shadow.get(0, 0, a);
        primary.get(0, 0, b);
        return TelemetryRecorder.agreement(a, b);
    }

    /** Shadow frames accepted and not yet finished. */
    public int queued() {
        return budget.queued();
    }

    /** Stops taking shadow frames; lets the queued ones finish (up to 10 s). Pending ones are cancelled by their frames. */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warnf("shadow thread still busy after 10 s at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
