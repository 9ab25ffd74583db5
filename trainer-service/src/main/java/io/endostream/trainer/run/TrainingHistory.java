package io.endostream.trainer.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-epoch history rows that pretraining and fine-tuning keep in their checkpoint state for resume. */
public final class TrainingHistory {

    private TrainingHistory() {
    }

    /** The rows stored under {@code "history"} in a checkpoint's state (JSON numbers back to doubles); empty if none. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Double>> fromState(Map<String, Object> state) {
        List<Map<String, Double>> out = new ArrayList<>();
        if (state.get("history") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Double> row = new LinkedHashMap<>();
                ((Map<String, Object>) o).forEach((k, v) -> row.put(k, ((Number) v).doubleValue()));
                out.add(row);
            }
        }
        return out;
    }
}
