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

    /** A frame waiting for inference. */
    public interface Job {
        Preprocessor.Sample sample();

        /** The model-resolution mask (CV_8UC1 0/255, now owned by the job) and the batch's timings. */
        void completed(Mat smallMask, long inferenceStartNanos, long inferenceNanos, int batchSize);

        void failed(RuntimeException error);
    }

    private static final Job STOP = new Job() {
        public Preprocessor.Sample sample() {
            return null;
        }

        public void completed(Mat smallMask, long start, long nanos, int batchSize) {
        }

        public void failed(RuntimeException error) {
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
        } finally {
            running = false;
            RuntimeException closed = new IllegalStateException("model " + model.ref() + " closed before inference");
            for (Job job : batch) {
                job.failed(closed);
            }
            Job job;
            while ((job = queue.poll()) != null) {
                if (job != STOP) {
                    job.failed(closed);
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
            batch.add(next);
        }
        return false;
    }

    private void runBatch(List<Job> batch) {
        int n = batch.size();
        long start = System.nanoTime();
        long inference;
        try {
            for (int i = 0; i < n; i++) {
                try (Preprocessor.Sample sample = batch.get(i).sample()) {
                    model.inputSample(i).put(sample.floats());
                }
            }
            long runStart = System.nanoTime();
            model.run(n);
            inference = System.nanoTime() - runStart;
        } catch (RuntimeException e) {
            LOG.errorf(e, "inference failed for a batch of %d on %s", n, model.ref());
            for (Job job : batch) {
                job.failed(e);
            }
            return;
        }
        batchSizes.accept(n);
        for (int i = 0; i < n; i++) {
            Job job = batch.get(i);
            Mat small;
            try {
                small = postprocessor.binarize(model.outputPlane(i));
            } catch (RuntimeException e) {
                job.failed(e);
                continue;
            }
            job.completed(small, start, inference, n);
        }
    }

    /** Finishes the queued jobs, then stops the thread. */
    @Override
    public void close() {
        if (running) {
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }
}
