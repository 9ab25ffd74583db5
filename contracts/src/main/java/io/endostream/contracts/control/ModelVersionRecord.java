package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;

/**
 * A registered model version: the value on the compacted {@code endostream.models} topic, key {@code name:version}.
 *
 * <p>A version is immutable: its manifest and artifact never change for a key. The only later change is
 * deprecation (a new record with the same key, {@code status = deprecated}). A deprecated version keeps serving
 * the streams already on it but cannot become a candidate or stable again. A tombstone (null value) means the
 * version was purged from the registry: followers stop routing new streams to it and unload it once no stream
 * uses it; the gateway writes one only for a version no plan or assignment names.
 *
 * @param manifest       the manifest as registered (its {@code onnxSha256} is the artifact's SHA-256)
 * @param sizeBytes      size of the ONNX file in bytes
 * @param artifactPath   path of the ONNX file in the gateway's API: {@code /api/artifacts/<sha256>}
 * @param status         {@code active} or {@code deprecated}
 * @param registeredAt   RFC 3339 time of registration
 * @param registeredBy   the principal that registered it
 * @param deprecatedAt   RFC 3339 time of deprecation, or null
 * @param deprecatedBy   the principal that deprecated it, or null
 * @param deprecationReason why, or null
 */
@JsonPropertyOrder({"manifest", "sizeBytes", "artifactPath", "status", "registeredAt", "registeredBy", "deprecatedAt",
        "deprecatedBy", "deprecationReason"})
public record ModelVersionRecord(ModelManifest manifest, long sizeBytes, String artifactPath, String status,
                                 String registeredAt, String registeredBy, String deprecatedAt, String deprecatedBy,
                                 String deprecationReason) {

    public static final String ACTIVE = "active";
    public static final String DEPRECATED = "deprecated";

    public ModelRef ref() {
        return new ModelRef(manifest.name(), manifest.version());
    }

    public String key() {
        return ControlKeys.model(ref());
    }

    public String sha256() {
        return manifest.onnxSha256();
    }

    public boolean deprecated() {
        return DEPRECATED.equals(status);
    }

    /** This version deprecated by {@code who} at {@code at} for {@code reason}. */
    public ModelVersionRecord deprecate(String at, String who, String reason) {
        return new ModelVersionRecord(manifest, sizeBytes, artifactPath, DEPRECATED, registeredAt, registeredBy, at, who,
                reason);
    }
}
