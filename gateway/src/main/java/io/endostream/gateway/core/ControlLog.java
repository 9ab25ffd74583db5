package io.endostream.gateway.core;

import java.util.List;

/**
 * Where the gateway's state changes go: the compacted control topics. {@link #commit} writes all records or none
 * (one Kafka transaction), so a plan change and the audit entry that explains it land together.
 */
public interface ControlLog {

    /**
     * Writes the records atomically.
     *
     * @throws FencedException when a newer gateway instance took over the writer role: this one must stop writing
     */
    void commit(List<ControlWrite> writes);
}
