package io.endostream.gateway.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Gateway settings for {@link RolloutAcrossInstancesTest}: the analysis judges every second, its own artifact store. */
public class RolloutItSettings implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("endostream.gateway.analysis.interval", "1s",
                "endostream.gateway.store.dir", "target/it-artifacts");
    }

    @Override
    public void stop() {
    }
}
