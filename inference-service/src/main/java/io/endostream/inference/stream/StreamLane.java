package io.endostream.inference.stream;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Keeps one stream's outcomes in frame order while its frames are processed concurrently: each frame takes a
 * ticket on arrival, and outcomes are released strictly in ticket order (a reorder buffer), so a fast frame
 * never overtakes a slow one of the same stream. Streams do not wait for each other.
 */
final class StreamLane {

    private long issued;
    private long nextToRelease;
    private final Map<Long, Outcome> ready = new HashMap<>();
    private final Map<Long, Object> context = new HashMap<>();

    synchronized long nextTicket() {
        return issued++;
    }

    /** Records the outcome of {@code ticket}; releases every outcome now in order, under the lane's lock. */
    synchronized <T> void complete(long ticket, Outcome outcome, T owner, BiConsumer<T, Outcome> release) {
        if (ticket != nextToRelease) {
            ready.put(ticket, outcome);
            context.put(ticket, owner);
            return;
        }
        release.accept(owner, outcome);
        nextToRelease++;
        Outcome next;
        while ((next = ready.remove(nextToRelease)) != null) {
            @SuppressWarnings("unchecked")
            T nextOwner = (T) context.remove(nextToRelease);
            release.accept(nextOwner, next);
            nextToRelease++;
        }
    }
}
