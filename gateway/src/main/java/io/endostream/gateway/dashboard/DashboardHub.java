package io.endostream.gateway.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.gateway.app.GatewayService;
import io.quarkus.runtime.Startup;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pushes the dashboard's data to the browsers connected to {@code /dashboard/ws}: the state (model versions,
 * deployments with rollout status and analysis, stream counts, audit log) whenever it changed, checked every
 * {@code push-interval}, and a new chart point per version every {@code sample-interval}. The browser never polls.
 */
@Startup
@ApplicationScoped
public class DashboardHub {

    private static final Logger LOG = Logger.getLogger(DashboardHub.class);

    @Inject
    GatewayService service;

    @Inject
    DashboardConfig config;

    @Inject
    ObjectMapper mapper;

    private final Map<String, WebSocketConnection> clients = new ConcurrentHashMap<>();
    private TelemetrySeries series;
    private ScheduledExecutorService scheduler;
    private volatile String lastState = "";
    private long lastSample;

    @PostConstruct
    void start() {
        series = new TelemetrySeries(config.historyPoints(), config.maxVersions());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-push");
            t.setDaemon(true);
            return t;
        });
        long every = config.pushInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    public boolean full() {
        return clients.size() >= config.maxClients();
    }

    /** An authenticated browser: it gets the whole history and state now, then changes as they happen. */
    public void join(WebSocketConnection connection) {
        clients.put(connection.id(), connection);
        send(connection, json(Map.of("type", "history", "series", series.history())));
        send(connection, stateJson());
    }

    public void leave(String connectionId) {
        clients.remove(connectionId);
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            if (now - lastSample >= config.sampleInterval().toMillis()) {
                lastSample = now;
                Map<String, TelemetrySeries.Point> points = series.sample(now, service.core().telemetry().snapshot());
                if (!points.isEmpty()) {
                    broadcast(json(Map.of("type", "points", "points", points)));
                }
            }
            if (!clients.isEmpty()) {
                String state = stateJson();
                if (!state.equals(lastState)) {
                    lastState = state;
                    broadcast(state);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("dashboard push failed: %s", e.toString());
        }
    }

    /** Everything the page shows apart from the chart series. */
    public String stateJson() {
        var core = service.core();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("type", "state");
        state.put("models", core.registry().list());
        Map<String, RolloutPlan> plans = new TreeMap<>(core.rollouts().plans());
        state.put("deployments", plans);
        Map<String, Object> analysis = new TreeMap<>();
        for (String deployment : plans.keySet()) {
            try {
                analysis.put(deployment, core.rollouts().analysis(deployment));
            } catch (RuntimeException e) {
                analysis.put(deployment, Map.of("error", String.valueOf(e.getMessage())));
            }
        }
        state.put("analysis", analysis);
        Map<String, Map<String, Long>> streams = new TreeMap<>();
        core.assignments().all().forEach(a -> streams.computeIfAbsent(a.deployment() == null ? "default" : a.deployment(),
                d -> new TreeMap<>()).merge(a.model().toString(), 1L, Long::sum));
        state.put("streamsPerVersion", streams);
        List<Map<String, Object>> instances = core.telemetry().instances().stream().map(DashboardHub::instance).toList();
        state.put("instances", instances);
        state.put("audit", core.audit().latest(null, config.auditEntries()));
        return json(state);
    }

    private static Map<String, Object> instance(InstanceTelemetry t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", t.instanceId());
        m.put("deployment", t.deployment());
        m.put("at", t.at());
        m.put("planRevision", t.planRevision());
        m.put("planStale", t.planStale());
        return m;
    }

    private void broadcast(String message) {
        clients.values().forEach(c -> send(c, message));
    }

    private void send(WebSocketConnection c, String message) {
        if (c.isOpen()) {
            c.sendText(message).subscribe().with(ok -> { }, fail -> clients.remove(c.id()));
        } else {
            clients.remove(c.id());
        }
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
