package io.endostream.contracts.control;

import io.endostream.contracts.rollout.ModelRef;

import java.nio.charset.StandardCharsets;

/**
 * Record keys of the compacted control topics (UTF-8 strings):
 * <ul>
 *   <li>{@code endostream.models}: {@code name:version}, e.g. {@code polyp-unet:2}</li>
 *   <li>{@code endostream.rollouts}: the deployment, e.g. {@code default}</li>
 *   <li>{@code endostream.assignments}: the stream id, e.g. {@code room-3}</li>
 *   <li>{@code endostream.telemetry}: the inference instance id, e.g. {@code inference-7f9c-1}</li>
 *   <li>{@code endostream.audit} (not compacted): the deployment</li>
 * </ul>
 */
public final class ControlKeys {

    private ControlKeys() {
    }

    public static String model(ModelRef ref) {
        return ref.name() + ":" + ref.version();
    }

    public static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}
