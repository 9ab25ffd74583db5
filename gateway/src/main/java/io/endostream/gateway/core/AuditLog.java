package io.endostream.gateway.core;

import io.endostream.contracts.control.AuditEntry;

import java.util.ArrayList;
import java.util.List;

/** The audit entries read from and written to {@code endostream.audit}, oldest first, in memory. */
public final class AuditLog {

    private final List<AuditEntry> entries = new ArrayList<>();

    public synchronized void add(AuditEntry entry) {
        entries.add(entry);
    }

    /** The latest {@code limit} entries (of one deployment when not null), newest first. */
    public synchronized List<AuditEntry> latest(String deployment, int limit) {
        List<AuditEntry> out = new ArrayList<>();
        for (int i = entries.size() - 1; i >= 0 && out.size() < limit; i--) {
            AuditEntry e = entries.get(i);
            if (deployment == null || deployment.equals(e.deployment())) {
                out.add(e);
            }
        }
        return out;
    }

    public synchronized int size() {
        return entries.size();
    }
}
