package io.endostream.local.stream;

import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Publishes N simulated endoscopy streams ("sim-1" .. "sim-N") to a frame topic, each at a steady frame rate, as
 * JPEG frames with CloudEvents headers (contracts' FrameCodec). One thread per stream renders and sends; all share one
 * producer (idempotent, acks=all), so each stream's frames stay in order.
 */
public final class SimulatedStreams {

    /**
     * What to publish.
     *
     * @param streams     number of streams, keyed sim-1 .. sim-N
     * @param fps         frames per second per stream
     * @param seconds     how long to run (frames per stream = fps x seconds)
     * @param width       frame width
     * @param height      frame height
     * @param seed        stream k uses seed + k
     * @param jpegQuality JPEG quality 1..100
     * @param topic       destination topic
     */
    public record Plan(int streams, double fps, double seconds, int width, int height, long seed, int jpegQuality,
            String topic) {
        public Plan {
            if (streams < 1) {
                throw new IllegalArgumentException("streams must be >= 1, was " + streams);
            }
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("seconds must be > 0, was " + seconds);
            }
            if (jpegQuality < 1 || jpegQuality > 100) {
                throw new IllegalArgumentException("JPEG quality must be in 1..100, was " + jpegQuality);
            }
        }

        public long framesPerStream() {
            return Math.max(1, Math.round(fps * seconds));
        }

        public static String streamId(int k) {
            return "sim-" + k;
        }
    }

    private SimulatedStreams() {
    }

    /** Runs the plan to the end (or until {@code stop} is set) and returns the counters. */
    public static StreamStats run(KafkaProducer<byte[], byte[]> producer, Plan plan, AtomicBoolean stop)
            throws InterruptedException {
        return run(producer, plan, stop, new StreamStats());
    }

    /** Runs the plan to the end (or until {@code stop} is set), counting into {@code stats} as it goes. */
    public static StreamStats run(KafkaProducer<byte[], byte[]> producer, Plan plan, AtomicBoolean stop,
            StreamStats stats) throws InterruptedException {
        return run(producer, plan, stop, stats, RunIds.newRunId());
    }

    /**
     * Runs the plan with frame ids {@code <stream id>-<runId>-<i>} (see {@link RunIds}): a run id must never be reused
     * on the same topic.
     */
    public static StreamStats run(KafkaProducer<byte[], byte[]> producer, Plan plan, AtomicBoolean stop,
            StreamStats stats, String runId) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int k = 1; k <= plan.streams(); k++) {
            int stream = k;
            Thread thread = new Thread(() -> {
                try {
                    runStream(producer, plan, stream, stats, stop, runId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                    stop.set(true);
                }
            }, Plan.streamId(stream));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        producer.flush();
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A simulated stream failed: " + errors.get(0).getMessage(), errors.get(0));
        }
        return stats;
    }

    private static void runStream(KafkaProducer<byte[], byte[]> producer, Plan plan, int stream, StreamStats stats,
            AtomicBoolean stop, String runId) throws InterruptedException {
        String streamId = Plan.streamId(stream);
        try (EndoscopySimulator simulator = new EndoscopySimulator(plan.seed() + stream, plan.width(), plan.height())) {
            Pacer pacer = null;
            for (long i = 0; i < plan.framesPerStream() && !stop.get(); i++) {
                if (pacer == null) {
                    pacer = new Pacer(plan.fps()); // the clock starts with the first frame (after warm-up)
                } else if (!pacer.awaitFrame(i)) {
                    stats.countLate();
                }
                byte[] jpeg;
                try (SimulatedFrame frame = simulator.next()) {
                    jpeg = frame.jpeg(plan.jpegQuality());
                }
                Frame frame = new Frame(streamId, RunIds.frameId(streamId, runId, i), i, System.currentTimeMillis(), ImageFormat.JPEG,
                        plan.width(), plan.height(), jpeg);
                FrameProducers.send(producer, plan.topic(), FrameCodec.encode(frame), stats);
            }
        }
    }
}
