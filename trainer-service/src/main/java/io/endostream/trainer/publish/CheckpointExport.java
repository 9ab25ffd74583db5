package io.endostream.trainer.publish;

import com.fasterxml.jackson.core.type.TypeReference;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.trainer.export.ExportResult;
import io.endostream.trainer.export.OnnxExporter;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.model.UNetConfig;
import io.endostream.trainer.run.ModelConfigs;
import io.endostream.trainer.run.RunFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code export} command: a fine-tuning checkpoint to {@code model.onnx} + {@code manifest.json} through T1's
 * {@link OnnxExporter} (which proves ONNX Runtime parity before writing). The manifest's training summary and metrics
 * come from the checkpoint's training state, or from an evaluation JSON when given.
 *
 * @param checkpoint     fine-tuning checkpoint (best.zip)
 * @param outDir         where model.onnx and manifest.json go
 * @param name           model name
 * @param version        model version
 * @param evaluationJson metrics.json of an {@code evaluate} run whose mean figures go into the manifest (or null)
 * @param dataset        dataset description for the manifest (or null: the path the run trained on)
 * @param paritySamples  frames for the parity proof (validation frames of the run's dataset, else random images)
 * @param maxBatch       manifest input.maxBatch
 * @param threshold      manifest output.threshold
 */
public record CheckpointExport(String checkpoint, String outDir, String name, String version, String evaluationJson,
                               String dataset, int paritySamples, int maxBatch, double threshold) {

    @SuppressWarnings("unchecked")
    public ExportResult run() {
        ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(Path.of(checkpoint));
        Map<String, Object> state = cp.state();
        UNetConfig model = ModelConfigs.fromState(state, checkpoint);
        if (cp.graph().getConfiguration().getNetworkOutputs().stream().noneMatch("mask"::equals)) {
            throw new IllegalArgumentException(checkpoint + " is not a segmentation checkpoint (no 'mask' output)");
        }
        Map<String, Object> data = state.get("data") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        String start = String.valueOf(state.getOrDefault("start", "unknown"));
        int unlabelled = 0;
        String pretraining = "none";
        if (start.startsWith("pretrained:")) {
            Path pretrainedCheckpoint = Path.of(start.substring("pretrained:".length()));
            pretraining = "pretrained";
            try {
                Map<String, Object> ps = ModelCheckpoints.load(pretrainedCheckpoint).state();
                pretraining = String.valueOf(ps.getOrDefault("objective", "pretrained"));
                Path runMetrics = pretrainedCheckpoint.toAbsolutePath().getParent().getParent().resolve("metrics.json");
                if (Files.isRegularFile(runMetrics)) {
                    Map<String, Object> pm = RunFolder.JSON.readValue(runMetrics.toFile(), new TypeReference<>() { });
                    if (pm.get("data") instanceof Map<?, ?> d && d.get("train_frames") instanceof Number n) {
                        unlabelled = n.intValue();
                    }
                }
            } catch (RuntimeException | IOException e) {
                // the pretraining run folder may be gone; the summary then says only "pretrained"
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (evaluationJson != null) {
            try {
                Map<String, Object> ev = RunFolder.JSON.readValue(Path.of(evaluationJson).toFile(), new TypeReference<>() { });
                Map<String, Object> mean = (Map<String, Object>) ev.get("mean");
                if (mean == null) {
                    throw new IllegalArgumentException(evaluationJson + " has no 'mean' object: not an evaluate metrics.json");
                }
                mean.forEach((k, v) -> metrics.put(k, ((Number) v).doubleValue()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read evaluation " + evaluationJson + ": " + e.getMessage(), e);
            }
        } else if (state.get("history") instanceof List<?> history && state.get("best_epoch") instanceof Number best) {
            for (Object row : history) {
                Map<String, Object> r = (Map<String, Object>) row;
                if (((Number) r.get("epoch")).intValue() == best.intValue()) {
                    metrics.put("val_dice", ((Number) r.get("val_dice")).doubleValue());
                    metrics.put("val_iou", ((Number) r.get("val_iou")).doubleValue());
                }
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("architecture", "MobileNetV2 U-Net (DL4J)");
        details.put("model", ModelConfigs.toMap(model));
        details.put("epochs", state.get("epoch"));
        details.put("best_epoch", state.get("best_epoch"));
        details.put("start", start);
        details.put("checkpoint", Path.of(checkpoint).getFileName().toString());
        int labelled = data.get("train_images") instanceof Number n ? n.intValue() : 0;
        ModelManifest.Training training = new ModelManifest.Training(
                dataset != null ? dataset : String.valueOf(data.getOrDefault("dataset", "unknown")),
                labelled, unlabelled, pretraining, details);
        int s = model.inputSize();
        ModelManifest manifest = new ModelManifest(name, version, null, ModelManifest.DEFAULT_ONNX_FILE,
                new ModelManifest.Input("input", "NCHW", s, s, "RGB", new double[]{0, 0, 0}, new double[]{1, 1, 1},
                        1.0 / 255, true, maxBatch),
                new ModelManifest.Output("mask", "none", threshold), training, metrics, null);
        try {
            Files.createDirectories(Path.of(outDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outDir, e);
        }
        // parity on real frames (the run's validation frames) when its dataset is still there, else random images
        io.endostream.trainer.export.ParityFrames frames =
                io.endostream.trainer.export.ParityFrames.fromTrainingState(state, paritySamples, s);
        return frames == null ? OnnxExporter.export(cp.graph(), manifest, Path.of(outDir), paritySamples, 7)
                : OnnxExporter.export(cp.graph(), manifest, Path.of(outDir), frames.images(), frames.description());
    }
}
