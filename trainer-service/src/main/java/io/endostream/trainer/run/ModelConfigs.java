package io.endostream.trainer.run;

import io.endostream.trainer.model.UNetConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** UNetConfig to and from the plain map stored in checkpoints' training state and config.json. */
public final class ModelConfigs {
    private ModelConfigs() {
    }

    public static Map<String, Object> toMap(UNetConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputSize", c.inputSize());
        m.put("widthMultiplier", c.widthMultiplier());
        m.put("decoderWidth", c.decoderWidth());
        m.put("seed", c.seed());
        m.put("learningRate", c.learningRate());
        return m;
    }

    @SuppressWarnings("unchecked")
    public static UNetConfig fromState(Map<String, Object> state, String what) {
        Object model = state.get("model");
        if (!(model instanceof Map)) {
            throw new IllegalArgumentException(what + " has no model configuration in its training state");
        }
        Map<String, Object> m = (Map<String, Object>) model;
        return new UNetConfig(((Number) m.get("inputSize")).intValue(), ((Number) m.get("widthMultiplier")).doubleValue(),
                ((Number) m.get("decoderWidth")).intValue(), ((Number) m.get("seed")).longValue(),
                ((Number) m.get("learningRate")).doubleValue());
    }
}
