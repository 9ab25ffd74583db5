package io.endostream.inference.model;

import org.jboss.logging.Logger;
import org.opencv.core.Mat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Groups preprocessed frames of any streams into batches for one model, like Triton's dynamic batcher: a batch
 * closes when it has {@code maxBatch} frames or when its first frame has waited {@code maxWait}. With a max
 * wait of 0 (the default) it takes whatever is already queued, so a lone frame never waits for company and a
 * burst still batches. A model with a fixed batch of 1 gets {@code maxBatch = 1}: batching off.
 *
 * <p>One thread per model version runs the session; it only copies samples in, runs, and thresholds the
 * outputs (before the next run overwrites them). Everything else happens on the codec threads.
 */
public final class DynamicBatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    /**
     * A frame waiting for inference. Ownership of its pooled sample passes to the batcher in {@link #takeSample()}
     * (the batcher copies it into the model input and returns it to the pool); from then on the job must not
     * touch it. A job that fails before its sample was taken still owns it and closes it itself.
     */
    public interface Job {
        /** Hands the sample over to the batcher; the job forgets it. Called once, on the inference thread. */
        Preprocessor.Sample takeSample();

        /**
         * Latest-frame-wins: called on the inference thread before the job joins a batch. A job that no longer needs
         * inference (a newer frame of its stream is waiting) ends itself here and returns true; the batcher then
         * forgets it without taking its sample.
         */
        default boolean withdraw() {
            return false;
        }

        /** Called on the inference thread just before the batch runs (fault injection in tests). */
        default void beforeRun() {
        }

        /** The model-resolution mask (CV_8UC1 0/255, now owned by the job) and the batch's timings. */
        void completed(Mat smallMask, long inferenceStartNanos, long inferenceNanos, int batchSize);

        /** Inference did not happen or failed; any Throwable (an Error too) ends the job here. */
        void failed(Throwable error);
    }

    private static final Job STOP = new Job() {
        public Preprocessor.Sample takeSample() {
            return null;
        }

        public void completed(Mat smallMask, long start, long nanos, int batchSize) {
        }

        public void failed(Throwable error) {
        }
    };

    private final SegmentationModel model;
    private final Postprocessor postprocessor;
    private final long maxWaitNanos;
    private final IntConsumer batchSizes;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    public DynamicBatcher(SegmentationModel model, Postprocessor postprocessor, Duration maxWait, IntConsumer batchSizes) {
        this.model = model;
        this.postprocessor = postprocessor;
        this.maxWaitNanos = maxWait.toNanos();
        this.batchSizes = batchSizes;
        // ONNX Runtime kernels can use more stack than a default 1 MB Java thread offers (a JVM launched with a long
        // command line crashed in native code with 1 MB and ran with 8 MB): give the inference thread room.
        this.thread = new Thread(null, this::loop, "inference-" + model.ref(), 16L * 1024 * 1024);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void submit(Job job) {
        if (!running) {
            job.failed(new IllegalStateException("model " + model.ref() + " is closed"));
            return;
        }
        queue.add(job);
        if (!running && queue.remove(job)) { // the loop ended between the check and the add: nobody will take it
            job.failed(new IllegalStateException("model " + model.ref() + " is closed"));
        }
    }

    /** True on the batcher's own thread. */
    public boolean isBatcherThread() {
        return Thread.currentThread() == thread;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public int queued() {
        return queue.size();
    }

    private void loop() {
        int maxBatch = model.maxBatch();
        List<Job> batch = new ArrayList<>(maxBatch);
        try {
            while (true) {
                Job first = queue.take();
                if (first == STOP) {
                    break;
                }
                if (withdrawn(first)) {
                    continue;
                }
                batch.add(first);
                boolean stop = collect(batch, maxBatch, System.nanoTime() + maxWaitNanos);
                runBatch(batch);
                batch.clear();
                if (stop) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // runBatch ends its own jobs; anything escaping here is the thread dying: end every job, never wedge
            LOG.errorf(e, "inference thread of %s stopped", model.ref());
        } finally {
            running = false;
            RuntimeException closed = new IllegalStateException("model " + model.ref() + " closed before inference");
            for (Job job : batch) {
                failQuietly(job, closed);
            }
            Job job;
            while ((job = queue.poll()) != null) {
                if (job != STOP) {
                    failQuietly(job, closed);
                }
            }
        }
    }

    /** Adds queued jobs up to maxBatch, waiting until the deadline when allowed; true when STOP was seen. */
    private boolean collect(List<Job> batch, int maxBatch, long deadline) throws InterruptedException {
        while (batch.size() < maxBatch) {
            Job next = queue.poll();
            if (next == null && maxWaitNanos > 0) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    next = queue.poll(left, TimeUnit.NANOSECONDS);
                }
            }
            if (next == null) {
                return false;
            }
            if (next == STOP) {
                return true;
            }
            if (!withdrawn(next)) {
                batch.add(next);
            }
        }
        return false;
    }

    private void runBatch(List<Job> batch) {
        int n = batch.size();
        long start = System.nanoTime();
        long inference;
        try {
            for (int i = 0; i < n; i++) {
                // the batcher owns the sample from here: copied into the input, back to the pool, never again
                try (Preprocessor.Sample sample = batch.get(i).takeSample()) {
                    model.inputSample(i).put(sample.floats());
                }
            }
            for (Job job : batch) {
                job.beforeRun();
            }
            long runStart = System.nanoTime();
            model.run(n);
            inference = System.nanoTime() - runStart;
        } catch (Throwable e) {
            LOG.errorf(e, "inference failed for a batch of %d on %s", n, model.ref());
            for (Job job : batch) {
                failQuietly(job, e);
            }
            return;
        }
        batchSizes.accept(n);
        for (int i = 0; i < n; i++) {
            Job job = batch.get(i);
            Mat small;
            try {
                small = postprocessor.binarize(model.outputPlane(i));
            } catch (Throwable e) {
                failQuietly(job, e);
                continue;
            }
            try {
                job.completed(small, start, inference, n);
            } catch (Throwable e) {
                LOG.errorf(e, "handing a mask back from %s failed", model.ref());
            }
        }
    }

    private static boolean withdrawn(Job job) {
        try {
            return job.withdraw();
        } catch (Throwable e) { // the job stays in the batch: it will end as a mask or a failure
            LOG.errorf(e, "withdrawing a superseded job failed");
            return false;
        }
    }

    private static void failQuietly(Job job, Throwable error) {
        try {
            job.failed(error);
        } catch (Throwable e) {
            LOG.errorf(e, "ending a failed job failed");
        }
    }

    /**
     * Finishes the queued jobs, then stops the thread. Called on the batcher's own thread (the last frame of a
     * retiring version can end there) it only asks the loop to stop: joining itself would stall inference.
     */
    @Override
    public void close() {
        if (running) {
            queue.add(STOP);
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }
}
