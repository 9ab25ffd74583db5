package io.endostream.gateway.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.endostream.contracts.control.InstanceTelemetry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Instance ids change with every restart and killed instances send no tombstone: silent ones are forgotten. */
class TelemetryViewTest {

    @Test
    void anInstanceSilentForTheTtlIsForgottenAndLiveOnesStay() {
        TelemetryView view = new TelemetryView(Duration.ofMinutes(10));
        view.put(record("inference-a-1", "2026-11-29T09:00:00Z"));
        view.put(record("inference-b-1", "2026-11-29T09:05:00Z"));
        assertEquals(2, view.instances().size());

        view.put(record("inference-b-1", "2026-11-29T09:10:01Z")); // a-1 last spoke 10 min 1 s before this
        assertEquals(List.of("inference-b-1"), view.instances().stream().map(InstanceTelemetry::instanceId).toList());

        view.put(record("inference-a-2", "2026-11-29T09:10:02Z")); // the restarted instance is a new one
        assertEquals(2, view.instances().size());
    }

    private static InstanceTelemetry record(String instance, String at) {
        return new InstanceTelemetry(instance, "default", "2026-11-29T08:59:00Z", at, 1, false, List.of());
    }
}
