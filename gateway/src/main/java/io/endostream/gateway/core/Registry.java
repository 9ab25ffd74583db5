package io.endostream.gateway.core;

import io.endostream.contracts.ValidationException;
import io.endostream.contracts.control.AuditEntry;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model registry: registers immutable versions (manifest + ONNX file), checks them, stores the file
 * content-addressed and records each version on {@code endostream.models}. Its in-memory view is rebuilt from that
 * topic ({@link #apply}).
 */
public final class Registry {

    private final Map<String, ModelVersionRecord> versions = new ConcurrentHashMap<>();
    private final ArtifactStore store;
    private final GraphChecker checker;
    private final ControlLog log;
    private final TopicNames topics;
    private final AuditLog audit;
    private final Clock clock;

    public Registry(ArtifactStore store, GraphChecker checker, ControlLog log, TopicNames topics, AuditLog audit,
                    Clock clock) {
        this.store = store;
        this.checker = checker;
        this.log = log;
        this.topics = topics;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Registers a version.
     *
     * @param manifestJson the manifest; {@code onnxSha256} may be omitted (it is computed), else it must match
     * @param onnx         the uploaded ONNX file
     * @param who          the principal registering it
     * @throws ApiException 400 naming the field when the manifest is invalid or does not match the graph, 409 when
     *                      the version exists
     */
    public synchronized ModelVersionRecord register(byte[] manifestJson, Path onnx, String who) {
        if (manifestJson == null || manifestJson.length == 0) {
            throw ApiException.badRequest("manifest", "manifest is required: a JSON part named \"manifest\"");
        }
        if (onnx == null) {
            throw ApiException.badRequest("model", "model is required: the ONNX file as a part named \"model\"");
        }
        ModelManifest parsed;
        try {
            parsed = ModelManifest.read(new ByteArrayInputStream(manifestJson));
        } catch (ValidationException e) {
            throw ApiException.badRequest("manifest", e.problems().get(0));
        }
        String sha = ArtifactStore.sha256(onnx);
        if (parsed.onnxSha256() != null && !parsed.onnxSha256().equals(sha)) {
            throw ApiException.badRequest("manifest.onnxSha256", "manifest.onnxSha256 is " + parsed.onnxSha256()
                    + " but the uploaded model's SHA-256 is " + sha);
        }
        ModelManifest manifest = new ModelManifest(parsed.name(), parsed.version(), sha, parsed.onnxFile(),
                parsed.input(), parsed.output(), parsed.training(), parsed.metrics(), parsed.createdAt());
        try {
            manifest.validate();
        } catch (ValidationException e) {
            String first = e.problems().get(0);
            throw ApiException.badRequest("manifest." + fieldOf(first), "manifest is invalid: "
                    + String.join("; ", e.problems()));
        }
        ModelRef ref = new ModelRef(manifest.name(), manifest.version());
        ModelVersionRecord existing = versions.get(key(ref));
        if (existing != null) {
            throw ApiException.conflict("manifest.version", ref + " is already registered (SHA-256 "
                    + existing.sha256() + "); versions are immutable: register a new version");
        }
        List<GraphChecker.Problem> problems = checker.check(manifest, onnx);
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("the manifest does not match the ONNX graph: ");
            for (int i = 0; i < problems.size(); i++) {
                message.append(i == 0 ? "" : "; ").append(problems.get(i).message());
            }
            throw ApiException.badRequest("manifest." + problems.get(0).field(), message.toString());
        }
        ArtifactStore.Stored stored = store.put(onnx);
        String now = clock.instant().toString();
        ModelVersionRecord record = new ModelVersionRecord(manifest, stored.sizeBytes(), "/api/artifacts/" + sha,
                ModelVersionRecord.ACTIVE, now, who, null, null, null);
        AuditEntry entry = new AuditEntry(now, AuditEntry.REGISTRY, who, "register", "registered " + ref,
                -1, Map.of("model", ref.toString(), "sha256", sha, "sizeBytes", stored.sizeBytes()));
        log.commit(List.of(new ControlWrite(topics.models(), record.key(), ControlJson.write(record)),
                new ControlWrite(topics.audit(), AuditEntry.REGISTRY, ControlJson.write(entry))));
        versions.put(record.key(), record);
        audit.add(entry);
        return record;
    }

    /** Deprecates a version: it keeps serving streams already on it but cannot become stable or candidate again. */
    public synchronized ModelVersionRecord deprecate(ModelRef ref, String reason, String who) {
        ModelVersionRecord record = require(ref);
        if (record.deprecated()) {
            return record;
        }
        String now = clock.instant().toString();
        String why = reason == null || reason.isBlank() ? "deprecated" : reason;
        ModelVersionRecord next = record.deprecate(now, who, why);
        AuditEntry entry = new AuditEntry(now, AuditEntry.REGISTRY, who, "deprecate", why, -1,
                Map.of("model", ref.toString()));
        log.commit(List.of(new ControlWrite(topics.models(), next.key(), ControlJson.write(next)),
                new ControlWrite(topics.audit(), AuditEntry.REGISTRY, ControlJson.write(entry))));
        versions.put(next.key(), next);
        audit.add(entry);
        return next;
    }

    /** Applies a record read from the models topic (rebuild); a null value removes the version. */
    public void apply(String key, byte[] value) {
        if (value == null) {
            versions.remove(key);
        } else {
            versions.put(key, ControlJson.read(value, ModelVersionRecord.class));
        }
    }

    public List<ModelVersionRecord> list() {
        return versions.values().stream().sorted(Comparator.comparing(ModelVersionRecord::key)).toList();
    }

    public ModelVersionRecord get(ModelRef ref) {
        return versions.get(key(ref));
    }

    /** The version, or 404 naming it. */
    public ModelVersionRecord require(ModelRef ref) {
        ModelVersionRecord record = get(ref);
        if (record == null) {
            throw ApiException.notFound("model version " + ref + " is not registered");
        }
        return record;
    }

    /** Whether a stored artifact with this SHA-256 belongs to a registered version. */
    public boolean knowsArtifact(String sha256) {
        return versions.values().stream().anyMatch(v -> v.sha256().equals(sha256));
    }

    public ArtifactStore store() {
        return store;
    }

    private static String key(ModelRef ref) {
        return ref.name() + ":" + ref.version();
    }

    private static String fieldOf(String problem) {
        int space = problem.indexOf(' ');
        return space > 0 ? problem.substring(0, space) : problem;
    }
}
