package io.endostream.gateway.core;

import java.util.ArrayList;
import java.util.List;

/** Test double of the control topics for the plain-Java core tests: keeps every committed record in order. */
public final class InMemoryControlLog implements ControlLog {

    public final List<ControlWrite> records = new ArrayList<>();
    public boolean fenced;

    @Override
    public synchronized void commit(List<ControlWrite> writes) {
        if (fenced) {
            throw new FencedException("fenced", null);
        }
        records.addAll(writes);
    }

    public synchronized List<ControlWrite> on(String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).toList();
    }
}
