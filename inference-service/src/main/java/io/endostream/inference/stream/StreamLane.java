package io.endostream.inference.stream;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stream's outcomes in frame order while its frames are processed concurrently (a reorder buffer): each frame
 * takes a ticket on arrival and outcomes are released strictly in ticket order, so a fast frame never overtakes a
 * slow one of the same stream. Streams do not wait for each other.
 *
 * <p>A released outcome is "publishing" until its publisher reports it {@link #settled}. When a publish fails the
 * lane stops releasing: it waits until every publish already handed over has settled, then re-releases the failed
 * ones alone, lowest ticket first, until each succeeds; only then does it release later outcomes again. So after
 * mask n fails, n+1 is never handed over before n is on the broker.
 *
 * <p>Every method runs under the lane's lock; the {@link Releaser} is called under it, in order. A lane is
 * {@link #idle()} when every ticket issued has been released and settled: {@link StreamLanes} then drops it.
 *
 * @param <T> what travels with a ticket (the frame's job)
 */
final class StreamLane<T> {

    /** What became of a hand-over. */
    enum Handed { SETTLED, PUBLISHING, FAILED }

    /**
     * Hands an outcome over in ticket order: SETTLED when nothing is to be published (a skip), PUBLISHING when its
     * result will come through {@link #settled}, FAILED when the publisher refused it at once (nothing later may go).
     */
    interface Releaser<T> {
        Handed release(long ticket, T item, boolean retry);
    }

    private long issued;
    private long nextToRelease;
    private final Map<Long, T> ready = new HashMap<>();
    private final TreeMap<Long, T> failed = new TreeMap<>();
    private int publishing;
    private boolean retrying;
    private long lastProgressNanos = System.nanoTime();
    private T waiting;
    private long newestQueuedForInference = -1;

    synchronized long nextTicket() {
        if (idle()) {
            lastProgressNanos = System.nanoTime(); // an idle lane was not stuck: its clock starts now
        }
        return issued++;
    }

    /** Records the outcome of {@code ticket} and releases every outcome now due, in order. */
    synchronized void complete(long ticket, T item, Releaser<T> releaser) {
        ready.put(ticket, item);
        drain(releaser);
    }

    /**
     * A released outcome's publish ended. On failure the lane holds later outcomes until this one was released
     * again and settled successfully.
     */
    synchronized void settled(long ticket, T item, boolean ok, Releaser<T> releaser) {
        publishing--;
        lastProgressNanos = System.nanoTime();
        if (!ok) {
            failed.put(ticket, item);
            retrying = true;
        }
        drain(releaser);
    }

    private void drain(Releaser<T> releaser) {
        if (retrying) {
            if (publishing > 0) {
                return; // let everything already handed over settle first
            }
            if (!failed.isEmpty()) {
                Map.Entry<Long, T> first = failed.pollFirstEntry();
                publishing++;
                Handed handed = releaser.release(first.getKey(), first.getValue(), true);
                if (handed != Handed.PUBLISHING) {
                    publishing--;
                    if (handed == Handed.FAILED) {
                        failed.put(first.getKey(), first.getValue());
                        return; // the releaser schedules retries itself; never spin here
                    }
                    drain(releaser);
                }
                return; // one at a time until the failed ones are through
            }
            retrying = false;
        }
        T next;
        while (!retrying && (next = ready.remove(nextToRelease)) != null) {
            long ticket = nextToRelease++;
            publishing++;
            lastProgressNanos = System.nanoTime();
            Handed handed = releaser.release(ticket, next, false);
            if (handed != Handed.PUBLISHING) {
                publishing--;
            }
            if (handed == Handed.FAILED) {
                failed.put(ticket, next);
                retrying = true;
                drain(releaser); // re-release it alone (the releaser delays retries)
            }
        }
    }

    /** Nothing issued is waiting, publishing or failed. */
    synchronized boolean idle() {
        return nextToRelease == issued && publishing == 0 && failed.isEmpty() && !retrying;
    }

    /** True when the lane has work and made no progress since {@code sinceNanos} (a {@link System#nanoTime()}). */
    synchronized boolean stuckSince(long sinceNanos) {
        return !idle() && lastProgressNanos - sinceNanos < 0;
    }

    synchronized boolean retrying() {
        return retrying;
    }

    /**
     * Latest-frame-wins, first stage: the stream's frame waiting for a codec thread. A newer frame takes the place of
     * the one waiting (returned, to be skipped) and keeps its place in the codec queue, so under overload the stream is
     * served in turn with its newest frame instead of starving behind its own replacements.
     */
    synchronized T offerLatest(T item) {
        T replaced = waiting;
        waiting = item;
        return replaced;
    }

    /** The frame a codec thread should decode now (the newest waiting), or null when a newer task took it already. */
    synchronized T takeLatest() {
        T item = waiting;
        waiting = null;
        return item;
    }

    /** Latest-frame-wins, second stage: {@code ticket} was decoded and now waits for inference. */
    synchronized void queuedForInference(long ticket) {
        newestQueuedForInference = Math.max(newestQueuedForInference, ticket);
    }

    /**
     * True when a newer frame of this stream is already decoded and waiting for inference: {@code ticket} can be
     * dropped without starving the stream, because the newest decoded frame is never dropped.
     */
    synchronized boolean newerQueuedForInference(long ticket) {
        return newestQueuedForInference > ticket;
    }

    /** Frames issued and not yet released (waiting for earlier frames or for their own outcome). */
    synchronized long unreleased() {
        return issued - nextToRelease;
    }
}
