package io.endostream.inference.stream;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.deadletter.DeadLetterCodec;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
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
import org.jboss.logging.Logger;
import org.opencv.core.Mat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A frame's whole path from record to mask, independent of any framework:
 * <pre>
 *   submit(record) -> FrameCodec (contract checks) -> stale check -> ModelRegistry (which version)
 *     -> FrameDecoder (OpenCV, reduced-scale JPEG) -> Preprocessor (into a pooled buffer)
 *     -> DynamicBatcher (ONNX Runtime, batches across streams) -> Postprocessor (threshold, resize, regions)
 *     -> MaskEncoder (1-bit PNG) -> MaskCodec -> StreamLane (frame order per stream) -> OutcomePublisher
 *     -> broker ack -> the record's acknowledgement (only now may its offset be committed)
 * </pre>
 * Every frame ends as exactly one mask, one dead letter (with its reason) or one counted skip.
 * Codec work runs on {@code codecThreads}; each model version has its own inference thread.
 */
public final class FramePipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FramePipeline.class);
    private static final CompletableFuture<Void> ADMITTED = CompletableFuture.completedFuture(null);

    private final PipelineSettings settings;
    private final ModelRegistry models;
    private final OutcomePublisher publisher;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final FrameDecoder decoder;
    private final MaskEncoder encoder;
    private final ExecutorService codec;
    private final AtomicInteger inFlight;
    private final ConcurrentHashMap<String, StreamLane> lanes = new ConcurrentHashMap<>();
    private final Object gateLock = new Object();
    private CompletableFuture<Void> waitingForCapacity;
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private volatile boolean closing;

    public FramePipeline(PipelineSettings settings, ModelRegistry models, OutcomePublisher publisher,
                         PipelineMetrics metrics, AtomicInteger inFlight, Clock clock) {
        this.settings = settings;
        this.models = models;
        this.publisher = publisher;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.clock = clock;
        this.decoder = new FrameDecoder(settings.maxPixels());
        this.encoder = new MaskEncoder(settings.pngCompression());
        AtomicInteger threadNumber = new AtomicInteger();
        this.codec = new ThreadPoolExecutor(settings.codecThreads(), settings.codecThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "frame-codec-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Takes a frame in. Never blocks; the returned stage completes when the pipeline has room for the next frame
     * ({@code maxInFlight}), which is how the consumer is held back under load.
     */
    public CompletionStage<Void> submit(IncomingFrame in) {
        if (closing) {
            in.acknowledgement().nack(new IllegalStateException("pipeline is shutting down"));
            return ADMITTED;
        }
        metrics.frameIn();
        inFlight.incrementAndGet();
        byte[] key = in.record().key();
        String laneKey = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        StreamLane lane = lanes.computeIfAbsent(laneKey, k -> new StreamLane());
        Work work = new Work(in, lane, lane.nextTicket());
        codec.execute(() -> decodeAndQueue(work));
        return admission();
    }

    private CompletionStage<Void> admission() {
        if (inFlight.get() < settings.maxInFlight()) {
            return ADMITTED;
        }
        synchronized (gateLock) {
            if (inFlight.get() < settings.maxInFlight()) {
                return ADMITTED;
            }
            if (waitingForCapacity == null) {
                waitingForCapacity = new CompletableFuture<>();
            }
            return waitingForCapacity;
        }
    }

    private void finished() {
        int now = inFlight.decrementAndGet();
        if (now < settings.maxInFlight()) {
            CompletableFuture<Void> waiting;
            synchronized (gateLock) {
                waiting = waitingForCapacity;
                waitingForCapacity = null;
            }
            if (waiting != null) {
                waiting.complete(null);
            }
        }
        if (now == 0 && closing) {
            idle.complete(null);
        }
    }

    /** Frames received and not yet acknowledged or failed. */
    public int inFlight() {
        return inFlight.get();
    }

    // ---- codec thread: contract checks, stale check, routing, decode, preprocess ----

    private void decodeAndQueue(Work work) {
        long start = System.nanoTime();
        work.codecWaitNanos = start - work.in.receivedNanos();
        IncomingFrame in = work.in;
        WireRecord record = in.record();
        Frame frame;
        try {
            frame = FrameCodec.decode(record.key(), record.value(), record.headers(), in.topic(), in.partition(),
                    in.offset(), in.timestampMillis(), settings.maxFrameBytes());
        } catch (MalformedRecordException e) {
            deadLetter(work, e.reason(), e.detail());
            return;
        }
        long age = clock.millis() - frame.captureTimeMillis();
        if (!settings.lossless() && age > settings.maxAge().toMillis()) {
            complete(work, Outcome.skip("stale"));
            return;
        }
        LoadedModel model;
        try {
            model = models.acquire(frame.streamId());
        } catch (RuntimeException e) {
            deadLetter(work, DeadLetterReason.PROCESSING_FAILED, "no model: " + e.getMessage());
            return;
        }
        work.frame = frame;
        work.model = model;
        String version = model.ref().version();
        try {
            long decodeStart = System.nanoTime();
            Preprocessor.Sample sample;
            try (DecodedFrame decoded = decoder.decode(frame, model.model().inputWidth(), model.model().inputHeight())) {
                work.width = decoded.width();
                work.height = decoded.height();
                long preprocessStart = System.nanoTime();
                metrics.stage(Stage.DECODE, version, preprocessStart - decodeStart);
                sample = model.preprocessor().process(decoded.image());
                metrics.stage(Stage.PREPROCESS, version, System.nanoTime() - preprocessStart);
            }
            work.sample = sample;
            work.enqueuedNanos = System.nanoTime();
            model.batcher().submit(work);
        } catch (MalformedRecordException e) {
            model.release();
            deadLetter(work, e.reason(), e.detail());
        } catch (RuntimeException e) {
            model.release();
            LOG.errorf(e, "frame %s of stream %s failed before inference", frame.frameId(), frame.streamId());
            deadLetter(work, DeadLetterReason.PROCESSING_FAILED, e.toString());
        }
    }

    // ---- inference thread hands back; codec thread: postprocess, encode ----

    private void maskReady(Work work, Mat small, long inferenceStart, long inferenceNanos) {
        work.model.release();
        String version = work.model.ref().version();
        metrics.stage(Stage.QUEUE, version, work.codecWaitNanos + (inferenceStart - work.enqueuedNanos));
        metrics.stage(Stage.INFERENCE, version, inferenceNanos);
        work.inferenceMillis = inferenceNanos / 1e6;
        codec.execute(() -> finishMask(work, small));
    }

    private void finishMask(Work work, Mat small) {
        Frame frame = work.frame;
        String version = work.model.ref().version();
        try {
            long start = System.nanoTime();
            Postprocessor.Result result;
            try {
                result = work.model.postprocessor().toFrame(small, work.width, work.height);
            } finally {
                small.release();
            }
            byte[] png;
            long encodeStart = System.nanoTime();
            metrics.stage(Stage.POSTPROCESS, version, encodeStart - start);
            try (result) {
                png = encoder.encode(result.mask());
            }
            metrics.stage(Stage.ENCODE, version, System.nanoTime() - encodeStart);
            Mask mask = new Mask(frame.streamId(), frame.frameId(), frame.sequence(), frame.captureTimeMillis(),
                    work.model.ref().name(), version, work.inferenceMillis,
                    Math.max(0, clock.millis() - frame.captureTimeMillis()), result.areaFraction(), result.regions(),
                    work.width, work.height, png);
            complete(work, Outcome.mask(MaskCodec.encode(mask), version));
        } catch (RuntimeException e) {
            LOG.errorf(e, "frame %s of stream %s failed after inference", frame.frameId(), frame.streamId());
            deadLetter(work, DeadLetterReason.PROCESSING_FAILED, e.toString());
        }
    }

    private void inferenceFailed(Work work, RuntimeException error) {
        work.model.release();
        codec.execute(() -> deadLetter(work, DeadLetterReason.PROCESSING_FAILED, "inference: " + error.getMessage()));
    }

    // ---- outcomes, in frame order per stream ----

    private void deadLetter(Work work, DeadLetterReason reason, String detail) {
        IncomingFrame in = work.in;
        WireRecord record = in.record();
        WireRecord letter = DeadLetterCodec.encode(record.key(), record.value(), record.headers(), in.topic(),
                in.partition(), in.offset(), reason, detail);
        complete(work, Outcome.deadLetter(letter, reason));
    }

    private void complete(Work work, Outcome outcome) {
        work.lane.complete(work.ticket, outcome, work, this::release);
    }

    /** Called in frame order per stream, under the stream's lane lock. */
    private void release(Work work, Outcome outcome) {
        IncomingFrame in = work.in;
        switch (outcome.kind()) {
            case SKIP -> {
                metrics.skipped(outcome.skipReason());
                acknowledge(in);
            }
            case MASK -> {
                long handedOver = System.nanoTime();
                send(() -> publisher.publishMask(outcome.record())).whenComplete((ok, error) -> {
                    if (error == null) {
                        long now = System.nanoTime();
                        metrics.stage(Stage.PUBLISH, outcome.modelVersion(), now - handedOver);
                        metrics.stage(Stage.END_TO_END, outcome.modelVersion(), now - in.receivedNanos());
                        metrics.maskOut(outcome.modelVersion());
                        acknowledge(in);
                    } else {
                        failed(in, "mask", error);
                    }
                });
            }
            case DEAD_LETTER -> send(() -> publisher.publishDeadLetter(outcome.record())).whenComplete((ok, error) -> {
                if (error == null) {
                    metrics.deadLetter(outcome.reason());
                    acknowledge(in);
                } else {
                    failed(in, "dead letter", error);
                }
            });
        }
    }

    private static CompletionStage<Void> send(java.util.function.Supplier<CompletionStage<Void>> sender) {
        try {
            return sender.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void acknowledge(IncomingFrame in) {
        try {
            in.acknowledgement().ack();
        } finally {
            finished();
        }
    }

    private void failed(IncomingFrame in, String what, Throwable error) {
        LOG.errorf(error, "publishing the %s of %s-%d@%d failed: the offset stays uncommitted", what, in.topic(),
                in.partition(), in.offset());
        try {
            in.acknowledgement().nack(error);
        } finally {
            finished();
        }
    }

    /** Waits until every frame taken in so far has been acknowledged (or failed). */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Stops taking frames, lets the ones in flight finish (up to 30 s), then stops the codec threads. */
    @Override
    public void close() {
        closing = true;
        if (inFlight.get() == 0) {
            idle.complete(null);
        }
        try {
            idle.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("%d frames still in flight at shutdown: their offsets stay uncommitted", inFlight.get());
        }
        codec.shutdown();
    }

    /** One frame's state on its way through; also the batcher's job. */
    private final class Work implements DynamicBatcher.Job {
        final IncomingFrame in;
        final StreamLane lane;
        final long ticket;
        long codecWaitNanos;
        long enqueuedNanos;
        Frame frame;
        LoadedModel model;
        Preprocessor.Sample sample;
        int width;
        int height;
        double inferenceMillis;

        Work(IncomingFrame in, StreamLane lane, long ticket) {
            this.in = in;
            this.lane = lane;
            this.ticket = ticket;
        }

        @Override
        public Preprocessor.Sample sample() {
            return sample;
        }

        @Override
        public void completed(Mat smallMask, long inferenceStartNanos, long inferenceNanos, int batchSize) {
            maskReady(this, smallMask, inferenceStartNanos, inferenceNanos);
        }

        @Override
        public void failed(RuntimeException error) {
            if (sample != null) {
                sample.close();
            }
            inferenceFailed(this, error);
        }
    }
}
