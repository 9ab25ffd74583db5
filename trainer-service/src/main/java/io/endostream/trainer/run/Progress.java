package io.endostream.trainer.run;

import java.util.Map;

/**
 * A progress update of a training, evaluation or export run.
 *
 * @param phase          e.g. "loading", "pretrain", "finetune", "evaluate", "export"
 * @param done           finished units (iterations, images)
 * @param total          units expected (0 if unknown)
 * @param elapsedSeconds since the phase started
 * @param etaSeconds     estimated seconds left (-1 if unknown)
 * @param metrics        latest figures (loss, dice...)
 * @param message        a short human line, e.g. "epoch 3/10"
 */
public record Progress(String phase, long done, long total, double elapsedSeconds, double etaSeconds,
                       Map<String, Double> metrics, String message) {

    public double fraction() {
        return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
    }
}
