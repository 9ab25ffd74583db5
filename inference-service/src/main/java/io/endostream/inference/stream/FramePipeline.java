package io.endostream.inference.stream;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.deadletter.DeadLetterCodec;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.contracts.mask.Region;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.inference.frame.DecodedFrame;
import io.endostream.inference.frame.FrameDecoder;
import io.endostream.inference.mask.MaskEncoder;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.metrics.Stage;
import io.endostream.inference.model.DynamicBatcher;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.Postprocessor;
import io.endostream.inference.model.Preprocessor;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.shadow.ShadowRunner;
import org.jboss.logging.Logger;
import org.opencv.core.Mat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A frame's whole path from record to mask, independent of any framework, in parts with one owner at a time:
 * <pre>
 *   admission ({@link Admission}: in-flight gate; {@link StreamLanes}: a ticket in the stream's lane)
 *   codec thread:     FrameCodec (contract checks) -> capture-time rule -> stale check -> ModelRegistry
 *                     -> FrameDecoder -> Preprocessor (pooled sample, owned by the job)
 *   inference thread: DynamicBatcher takes the sample (copies it in, returns it to the pool) -> ONNX Runtime
 *                     -> threshold (a small Mat, handed back to the job)
 *   codec thread:     Postprocessor -> MaskEncoder -> MaskCodec (the small Mat is released here)
 *   in-order release: StreamLane hands outcomes to the OutcomePublisher in frame order per stream, holding
 *                     later ones while a failed publish is retried
 *   completion thread: broker ack -> the record's acknowledgement (only now may its offset be committed)
 * </pre>
 * A {@link FrameJob} is written by exactly one thread at a time; each hand-over goes through a queue (executor or
 * batcher), which orders the writes before the next owner's reads. Every frame ends as exactly one mask, one dead
 * letter (with its reason; {@code processing-failed} when anything, an Error too, went wrong) or one counted skip.
 */
public final class FramePipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FramePipeline.class);
    private static final long STALE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Skip reason: a newer frame of the same stream arrived before this one was decoded or run. */
    public static final String SUPERSEDED = "superseded";

    private final PipelineSettings settings;
    private final ModelRegistry models;
    private final OutcomePublisher publisher;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final FaultInjector faults;
    private final FrameDecoder decoder;
    private final MaskEncoder encoder;
    private final ExecutorService codec;
    private final ScheduledExecutorService completions;
    private final Admission admission;
    private final StreamLanes<FrameJob> lanes = new StreamLanes<>();
    private final StreamLane.Releaser<FrameJob> releaser = this::release;
    private final Map<String, Long> staleLogged = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 1024; // bounded: stream ids come from outside
        }
    };
    private final AtomicInteger handedBack = new AtomicInteger();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile OutcomeListener outcomes = OutcomeListener.NONE;
    private volatile ShadowRunner shadows;
    private volatile boolean latestFrameWins = true;

    public FramePipeline(PipelineSettings settings, ModelRegistry models, OutcomePublisher publisher,
                         PipelineMetrics metrics, AtomicInteger inFlight, Clock clock) {
        this(settings, models, publisher, metrics, inFlight, clock, FaultInjector.NONE);
    }

    public FramePipeline(PipelineSettings settings, ModelRegistry models, OutcomePublisher publisher,
                         PipelineMetrics metrics, AtomicInteger inFlight, Clock clock, FaultInjector faults) {
        this.settings = settings;
        this.models = models;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.faults = faults;
        this.admission = new Admission(settings.maxInFlight(), settings.maxInFlightBytes(), inFlight);
        this.decoder = new FrameDecoder(settings.maxPixels());
        this.encoder = new MaskEncoder(settings.pngCompression());
        AtomicInteger threadNumber = new AtomicInteger();
        this.codec = new ThreadPoolExecutor(settings.codecThreads(), settings.codecThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "frame-codec-" + threadNumber.incrementAndGet()));
        // Publish results arrive on the producer's I/O thread: they hop here before touching a lane, because a
        // lane's lock may be held by a thread blocked in send() waiting for that very I/O thread.
        this.completions = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "frame-outcomes"));
    }

    /**
     * Latest-frame-wins in real-time mode (the default): see {@link #superseded} and {@link #submit}. Off, a stream's
     * frames are served first in, first out within {@code max-age}. Lossless mode never skips.
     */
    public void latestFrameWins(boolean on) {
        this.latestFrameWins = on;
    }

    /** Who hears how each version's frames ended (the control plane's telemetry); none by default. */
    public void outcomeListener(OutcomeListener listener) {
        this.outcomes = listener == null ? OutcomeListener.NONE : listener;
    }

    /**
     * Runs the plan's shadow version on copies of shadowed streams' frames (see {@link ShadowRunner}); none by
     * default, and then a plan's shadow is ignored.
     */
    public void shadowRunner(ShadowRunner runner) {
        this.shadows = runner;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---- admission ----

    /**
     * Takes a frame in. Never blocks; the returned stage completes when the pipeline has room for the next frame
     * ({@code maxInFlight}), which is how the consumer is held back under load. While shutting down a frame is
     * handed back: neither processed nor acknowledged, so its offset stays uncommitted and it is read again.
     */
    public CompletionStage<Void> submit(IncomingFrame in) {
        if (closing) {
            // not processed, not acknowledged: read again after the restart. The stage completes only when the
            // pipeline is closed, which stops a one-at-a-time consumer from fetching more while it drains.
            handedBack.incrementAndGet();
            return closed;
        }
        metrics.frameIn();
        CompletionStage<Void> room = admission.enter(Admission.bytesOf(in));
        byte[] key = in.record().key();
        String streamId = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        StreamLanes.Admitted<FrameJob> admitted = lanes.admit(streamId);
        FrameJob job = new FrameJob(in, streamId, admitted.lane(), admitted.ticket());
        if (settings.lossless() || !latestFrameWins) {
            onCodec(job, () -> decodeAndQueue(job));
            return room;
        }
        // latest-frame-wins: the newest frame takes the place of the stream's frame still waiting for a codec thread
        StreamLane<FrameJob> lane = admitted.lane();
        FrameJob replaced = lane.offerLatest(job);
        if (replaced != null) {
            onCodec(replaced, () -> complete(replaced, Outcome.skip(SUPERSEDED)));
        }
        Runnable slot = () -> {
            FrameJob latest = lane.takeLatest();
            if (latest != null) {
                try {
                    decodeAndQueue(latest);
                } catch (Throwable e) {
                    processingFailed(latest, "unexpected", e);
                }
            }
        };
        try {
            codec.execute(slot);
        } catch (RejectedExecutionException e) { // codec threads stopped (shutdown timed out): end it here
            slot.run();
        }
        return room;
    }

    /** Runs a stage on a codec thread; whatever escapes it (an Error too) ends the frame as processing-failed. */
    private void onCodec(FrameJob job, Runnable stage) {
        Runnable guarded = () -> {
            try {
                stage.run();
            } catch (Throwable e) {
                processingFailed(job, "unexpected", e);
            }
        };
        try {
            codec.execute(guarded);
        } catch (RejectedExecutionException e) { // codec threads stopped (shutdown timed out): end it here
            guarded.run();
        }
    }

    /** Frames received and not yet acknowledged or failed. */
    public int inFlight() {
        return admission.inFlight();
    }

    /** Streams with frames in flight (their lanes); 0 when idle, however many streams came and went. */
    public int activeStreams() {
        return lanes.size();
    }

    /** Streams whose frames made no progress for {@code stuck-after}: liveness is DOWN while this is above 0. */
    public long stuckStreams() {
        return lanes.stuck(System.nanoTime() - settings.stuckAfter().toNanos());
    }

    /** Frames handed back (not processed, not acknowledged) because they arrived while shutting down. */
    public int handedBack() {
        return handedBack.get();
    }

    // ---- codec thread: contract checks, capture time, stale check, routing, decode, preprocess ----

    private void decodeAndQueue(FrameJob job) {
        long start = System.nanoTime();
        job.codecWaitNanos = start - job.in.receivedNanos();
        IncomingFrame in = job.in;
        WireRecord record = in.record();
        long now = clock.millis();
        long skew = settings.maxClockSkew().toMillis();
        Frame frame;
        try {
            frame = FrameCodec.decode(record.key(), record.value(),
                    CaptureTimes.withoutAbsurdCaptureTime(record.headers(), now, skew), in.topic(), in.partition(),
                    in.offset(), CaptureTimes.recordTime(in.timestampMillis(), now, skew), settings.maxFrameBytes());
        } catch (MalformedRecordException e) {
            deadLetter(job, e.reason(), e.detail());
            return;
        }
        if (!CaptureTimes.plausible(frame.captureTimeMillis(), now, skew)) {
            // The codec also falls back to ce_time, which the header rule above never saw: the same rule applies to
            // whichever source the capture time came from.
            frame = new Frame(frame.streamId(), frame.frameId(), frame.sequence(),
                    CaptureTimes.recordTime(in.timestampMillis(), now, skew), frame.format(), frame.width(),
                    frame.height(), frame.image());
        }
        job.frame = frame;
        long age = now - frame.captureTimeMillis();
        if (!settings.lossless() && age > settings.maxAge().toMillis()) {
            logStale(frame.streamId(), age);
            complete(job, Outcome.skip("stale"));
            return;
        }
        LoadedModel model;
        ModelRef shadow;
        try {
            ModelRegistry.Acquired routed = models.acquireRouted(frame.streamId());
            model = routed.model();
            shadow = routed.shadow();
        } catch (RuntimeException e) {
            deadLetter(job, DeadLetterReason.PROCESSING_FAILED, "no model: " + e.getMessage());
            return;
        }
        job.model = model;
        String version = model.ref().version();
        try {
            faults.beforeDecode(frame);
            long decodeStart = System.nanoTime();
            try (DecodedFrame decoded = decoder.decode(frame, model.model().inputWidth(), model.model().inputHeight())) {
                job.width = decoded.width();
                job.height = decoded.height();
                ShadowRunner shadowRunner = shadows;
                if (shadow != null && shadowRunner != null) { // copies the decoded image: no second decode
                    job.shadow = shadowRunner.offer(shadow, model.ref(), frame, decoded.image(), job.width, job.height,
                            job.codecWaitNanos);
                }
                long preprocessStart = System.nanoTime();
                metrics.stage(Stage.DECODE, version, preprocessStart - decodeStart);
                job.sample = model.preprocessor().process(decoded.image());
                metrics.stage(Stage.PREPROCESS, version, System.nanoTime() - preprocessStart);
            }
        } catch (MalformedRecordException e) {
            job.releaseModel();
            deadLetter(job, e.reason(), e.detail());
            return;
        } catch (Throwable e) { // an Error too: the frame must end, the stream must move on
            job.releaseModel();
            processingFailed(job, "before inference", e);
            return;
        }
        job.enqueuedNanos = System.nanoTime();
        job.lane.queuedForInference(job.ticket); // before the hand-over: older frames of the stream may now withdraw
        model.batcher().submit(job); // hand-over: from here the batcher thread owns the job until it calls back
        faults.queuedForInference(frame);
    }

    /**
     * Latest-frame-wins (real-time mode only), second stage: a decoded frame is dropped before inference when a newer
     * frame of its stream is already decoded and waiting too (the newest decoded one always runs, so no stream
     * starves). The first stage is in {@link #submit}: a frame waiting for a codec thread is replaced by a newer one.
     * Skips are counted ({@code reason="superseded"}) and released in frame order like any outcome.
     */
    private boolean superseded(FrameJob job) {
        return !settings.lossless() && latestFrameWins && job.lane.newerQueuedForInference(job.ticket);
    }

    private void logStale(String streamId, long ageMillis) {
        long now = System.nanoTime();
        synchronized (staleLogged) {
            Long last = staleLogged.get(streamId);
            if (last != null && now - last < STALE_LOG_INTERVAL_NANOS) {
                return;
            }
            staleLogged.put(streamId, now);
        }
        LOG.warnf("stream %s: skipping stale frames (this one %d ms old, max-age %d ms); logged at most once a "
                + "minute per stream, every skip is counted in endostream_frames_skipped_total", streamId, ageMillis,
                settings.maxAge().toMillis());
    }

    // ---- inference thread hands back; codec thread: postprocess, encode ----

    private void maskReady(FrameJob job, Mat small, long inferenceStart, long inferenceNanos) {
        job.releaseModel();
        String version = job.model.ref().version();
        metrics.stage(Stage.QUEUE, version, job.codecWaitNanos + (inferenceStart - job.enqueuedNanos));
        metrics.stage(Stage.INFERENCE, version, inferenceNanos);
        job.inferenceMillis = inferenceNanos / 1e6;
        job.small = small;
        onCodec(job, () -> finishMask(job));
    }

    private void finishMask(FrameJob job) {
        Frame frame = job.frame;
        String version = job.model.ref().version();
        long start = System.nanoTime();
        Postprocessor.Result result;
        try {
            result = job.model.postprocessor().toFrame(job.small, job.width, job.height);
        } finally {
            job.small.release();
            job.small = null;
        }
        byte[] png;
        long encodeStart = System.nanoTime();
        metrics.stage(Stage.POSTPROCESS, version, encodeStart - start);
        WireRecord record;
        try {
            png = encoder.encode(result.mask());
            metrics.stage(Stage.ENCODE, version, System.nanoTime() - encodeStart);
            List<Region> regions = RegionCap.kept(result.regions(), settings.maxRegions(), settings.minRegionArea());
            Mask mask = new Mask(frame.streamId(), frame.frameId(), frame.sequence(), frame.captureTimeMillis(),
                    job.model.ref().name(), version, job.inferenceMillis,
                    Math.max(0, clock.millis() - frame.captureTimeMillis()), result.areaFraction(), regions,
                    job.width, job.height, png);
            record = MaskCodec.encode(mask);
            record.headers().put(RecordHeaders.REGIONS_OMITTED, Utf8.bytes(Integer.toString(result.regions().size() - regions.size())));
        } catch (Throwable e) {
            result.close();
            throw e;
        }
        ShadowRunner.Pending shadow = job.shadow;
        job.shadow = null;
        try {
            complete(job, Outcome.mask(record, version)); // the primary goes first, never waiting for the shadow
        } finally {
            if (shadow == null) {
                result.close();
            } else {
                shadow.primaryMasked(result.mask()); // hand-over: the shadow now owns the frame-size mask
            }
        }
    }

    private void inferenceFailed(FrameJob job, Throwable error) {
        job.releaseModel();
        onCodec(job, () -> processingFailed(job, "inference", error));
    }

    // ---- outcomes, in frame order per stream ----

    private void processingFailed(FrameJob job, String where, Throwable error) {
        if (job.ended) {
            LOG.errorf(error, "frame of stream %s failed after it ended", job.streamId);
            return;
        }
        if (job.small != null) {
            job.small.release();
            job.small = null;
        }
        job.closeSample();
        LOG.errorf(error, "frame %s of stream %s failed (%s): dead-lettered processing-failed",
                job.frame == null ? job.in.topic() + "-" + job.in.partition() + "@" + job.in.offset() : job.frame.frameId(),
                job.streamId, where);
        deadLetter(job, DeadLetterReason.PROCESSING_FAILED, where + ": " + error);
    }

    private void deadLetter(FrameJob job, DeadLetterReason reason, String detail) {
        IncomingFrame in = job.in;
        WireRecord record = in.record();
        byte[] value = record.value();
        boolean drop = value != null && deadLetterBytes(record) > settings.maxDeadLetterBytes();
        WireRecord letter = DeadLetterCodec.encode(record.key(), drop ? new byte[0] : value, record.headers(),
                in.topic(), in.partition(), in.offset(), reason, detail);
        if (drop) { // it must always fit the producer's max.request.size, or it would fail for good on every restart
            letter.headers().put(RecordHeaders.DEAD_LETTER_VALUE_DROPPED, Utf8.bytes(Integer.toString(value.length)));
        }
        complete(job, Outcome.deadLetter(letter, reason));
    }

    /** Serialized size of the dead letter with its value, plus room for the dead-letter headers and framing. */
    private static long deadLetterBytes(WireRecord record) {
        long size = 2048L + (record.key() == null ? 0 : record.key().length) + record.value().length;
        for (Map.Entry<String, byte[]> h : record.headers().entrySet()) {
            size += h.getKey().length() + (h.getValue() == null ? 0 : h.getValue().length) + 8;
        }
        return size;
    }

    private void complete(FrameJob job, Outcome outcome) {
        if (job.shadow != null) { // ended without a primary mask: the shadow has nothing to compare with
            job.shadow.cancel();
            job.shadow = null;
        }
        job.ended = true;
        job.outcome = outcome;
        job.lane.complete(job.ticket, job, releaser);
        lanes.dropIfIdle(job.streamId, job.lane);
    }

    /** Called in frame order per stream, under the stream's lane lock: hands the outcome to the publisher. */
    private StreamLane.Handed release(long ticket, FrameJob job, boolean retry) {
        Outcome outcome = job.outcome;
        if (outcome.kind() == Outcome.Kind.SKIP) {
            metrics.skipped(outcome.skipReason());
            acknowledge(job.in);
            return StreamLane.Handed.SETTLED;
        }
        if (retry) { // alone: the lane holds everything later until this one is through
            long delayMillis = Math.min(5_000, 100L << Math.min(6, Math.max(0, job.publishAttempts - 1)));
            completions.schedule(() -> {
                CompletableFuture<Void> sent = publish(job);
                sent.whenComplete((ok, error) -> completions.execute(() -> published(job, error)));
            }, delayMillis, TimeUnit.MILLISECONDS);
            return StreamLane.Handed.PUBLISHING;
        }
        CompletableFuture<Void> sent = publish(job);
        if (sent.isCompletedExceptionally()) { // refused at once: nothing later of this stream may go before it
            logPublishFailure(job, sent.handle((ok, error) -> error).join());
            return StreamLane.Handed.FAILED;
        }
        sent.whenComplete((ok, error) -> completions.execute(() -> published(job, error)));
        return StreamLane.Handed.PUBLISHING;
    }

    private CompletableFuture<Void> publish(FrameJob job) {
        Outcome outcome = job.outcome;
        job.publishAttempts++;
        job.handedOverNanos = System.nanoTime();
        return send(outcome.kind() == Outcome.Kind.MASK
                ? () -> publisher.publishMask(outcome.record())
                : () -> publisher.publishDeadLetter(outcome.record()));
    }

    private void logPublishFailure(FrameJob job, Throwable error) {
        IncomingFrame in = job.in;
        LOG.errorf(error, "publishing the outcome of %s-%d@%d failed (attempt %d): stream %s holds later outcomes "
                + "until it is through", in.topic(), in.partition(), in.offset(), job.publishAttempts, job.streamId);
    }

    /** On the completion thread: a publish ended. */
    private void published(FrameJob job, Throwable error) {
        Outcome outcome = job.outcome;
        IncomingFrame in = job.in;
        if (error == null) {
            job.lane.settled(job.ticket, job, true, releaser);
            lanes.dropIfIdle(job.streamId, job.lane);
            if (outcome.kind() == Outcome.Kind.MASK) {
                long now = System.nanoTime();
                metrics.stage(Stage.PUBLISH, outcome.modelVersion(), now - job.handedOverNanos);
                metrics.stage(Stage.END_TO_END, outcome.modelVersion(), now - in.receivedNanos());
                metrics.maskOut(outcome.modelVersion());
                if (job.model != null) {
                    outcomes.masked(job.model.ref(), (now - in.receivedNanos()) / 1e6);
                }
            } else {
                metrics.deadLetter(outcome.reason());
                if (job.model != null) { // frames refused before routing belong to no version
                    if (outcome.reason() == DeadLetterReason.PROCESSING_FAILED) {
                        outcomes.failed(job.model.ref());
                    } else {
                        outcomes.deadLettered(job.model.ref());
                    }
                }
            }
            acknowledge(in);
        } else if (closing) {
            // shutting down: no more retries; the offset stays uncommitted and the frame is read again
            LOG.errorf(error, "publishing the outcome of %s-%d@%d failed while shutting down: left uncommitted",
                    in.topic(), in.partition(), in.offset());
            job.lane.settled(job.ticket, job, true, releaser);
            lanes.dropIfIdle(job.streamId, job.lane);
            try {
                in.acknowledgement().nack(error);
            } finally {
                admission.leave(Admission.bytesOf(in));
            }
        } else {
            logPublishFailure(job, error);
            job.lane.settled(job.ticket, job, false, releaser);
        }
    }

    private static CompletableFuture<Void> send(Supplier<CompletionStage<Void>> sender) {
        try {
            return sender.get().toCompletableFuture();
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void acknowledge(IncomingFrame in) {
        try {
            in.acknowledgement().ack();
        } finally {
            admission.leave(Admission.bytesOf(in));
        }
    }

    /** Waits until every frame taken in so far has been acknowledged (or failed). */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return admission.awaitIdle(timeout);
    }

    /**
     * Stops taking frames (later ones are handed back), lets the ones in flight finish and their outcomes reach
     * the broker (up to {@code timeout}), then stops the threads. Returns true when nothing was left in flight.
     */
    public boolean drain(Duration timeout) {
        closing = true;
        boolean idle;
        try {
            idle = admission.awaitIdle(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            LOG.warnf("%d frames still in flight at shutdown: their offsets stay uncommitted", admission.inFlight());
        }
        return idle;
    }

    /** Drains (up to 30 s), then stops the codec and completion threads and waits for them. */
    @Override
    public void close() {
        drain(Duration.ofSeconds(30));
        codec.shutdown();
        completions.shutdown();
        try {
            codec.awaitTermination(10, TimeUnit.SECONDS);
            completions.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed.complete(null);
    }

    /**
     * One frame on its way through. Written by one thread at a time: the codec stage until it hands the job to the
     * batcher, the inference thread until it calls back, a codec thread again until the outcome goes to the lane,
     * then the lane (under its lock) and the completion thread.
     */
    private final class FrameJob implements DynamicBatcher.Job {
        final IncomingFrame in;
        final String streamId;
        final StreamLane<FrameJob> lane;
        final long ticket;
        long codecWaitNanos;
        long enqueuedNanos;
        Frame frame;
        LoadedModel model;
        private boolean modelReleased;
        long handedOverNanos;
        /** Owned by the job until {@link #takeSample()} hands it to the batcher. */
        Preprocessor.Sample sample;
        /** The model-resolution mask, owned by the job between inference and postprocessing. */
        Mat small;
        /** A shadow run waiting for this frame's primary mask, owned by the job until finishMask hands it over. */
        ShadowRunner.Pending shadow;
        int width;
        int height;
        double inferenceMillis;
        boolean ended;
        Outcome outcome;
        int publishAttempts;

        FrameJob(IncomingFrame in, String streamId, StreamLane<FrameJob> lane, long ticket) {
            this.in = in;
            this.streamId = streamId;
            this.lane = lane;
            this.ticket = ticket;
        }

        @Override
        public Preprocessor.Sample takeSample() {
            Preprocessor.Sample s = sample;
            sample = null;
            return s;
        }

        void closeSample() {
            if (sample != null) {
                sample.close();
                sample = null;
            }
        }

        void releaseModel() {
            if (model != null && !modelReleased) {
                modelReleased = true;
                model.release();
            }
        }

        /** On the inference thread, before the job joins a batch: latest-frame-wins. */
        @Override
        public boolean withdraw() {
            if (!superseded(this)) {
                return false;
            }
            closeSample();
            releaseModel();
            // the skip is released on a codec thread: releasing may publish later outcomes, never on this thread
            onCodec(this, () -> complete(this, Outcome.skip(SUPERSEDED)));
            return true;
        }

        @Override
        public void beforeRun() {
            faults.beforeInference(frame);
        }

        @Override
        public void completed(Mat smallMask, long inferenceStartNanos, long inferenceNanos, int batchSize) {
            try {
                maskReady(this, smallMask, inferenceStartNanos, inferenceNanos);
            } catch (Throwable e) {
                if (small == null) {
                    smallMask.release();
                }
                releaseModel();
                onCodec(this, () -> processingFailed(this, "after inference", e));
            }
        }

        @Override
        public void failed(Throwable error) {
            closeSample(); // only when the batcher never took it (it was closed before the run)
            inferenceFailed(this, error);
        }
    }
}
