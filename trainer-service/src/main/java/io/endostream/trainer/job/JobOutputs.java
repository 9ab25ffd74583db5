package io.endostream.trainer.job;

import com.fasterxml.jackson.core.type.TypeReference;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.trainer.cli.PipelineCommand;
import io.endostream.trainer.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a job left in its run folder, for the dashboard: the training curves recorded in {@code metrics.json}, the
 * latest sample grid, and the exported model. Plain Java over the run-folder layout ({@link RunFolder},
 * {@link PipelineCommand}'s sub-folders); every file it returns lies inside the job's (confined) run folder.
 */
public final class JobOutputs {

    /** One run folder of a job: {@code phase} is pretrain, finetune or evaluate. */
    public record Run(String phase, Path dir) {
    }

    private JobOutputs() {
    }

    /** The job's run folders in the order they run (a pipeline has three, export none). */
    public static List<Run> runs(JobType type, Path runDir) {
        if (runDir == null) {
            return List.of();
        }
        return switch (type) {
            case PRETRAIN -> List.of(new Run("pretrain", runDir));
            case FINETUNE -> List.of(new Run("finetune", runDir));
            case EVALUATE -> List.of(new Run("evaluate", runDir));
            case EXPORT -> List.of();
            case PIPELINE -> List.of(new Run("pretrain", runDir.resolve(PipelineCommand.PRETRAIN_DIR)),
                    new Run("finetune", runDir.resolve(PipelineCommand.FINETUNE_DIR)),
                    new Run("evaluate", runDir.resolve(PipelineCommand.EVALUATE_DIR)));
        };
    }

    /** The folder holding model.onnx + manifest.json, for the job types that export; empty for the others. */
    public static Optional<Path> exportDir(JobType type, Path runDir) {
        if (runDir == null) {
            return Optional.empty();
        }
        return switch (type) {
            case EXPORT -> Optional.of(runDir);
            case PIPELINE -> Optional.of(runDir.resolve(PipelineCommand.EXPORT_DIR));
            default -> Optional.empty();
        };
    }

    /**
     * The training history of each run that recorded one so far ({@code metrics.json} is rewritten atomically after
     * every epoch or validation): {@code [{"phase","kind","stoppedBy","rows":[{"epoch":1.0,"train_loss":...}]}]}.
     * Runs not started yet, and evaluations (no history), are left out.
     */
    public static List<Map<String, Object>> history(JobType type, Path runDir) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Run run : runs(type, runDir)) {
            Path metrics = run.dir().resolve("metrics.json");
            if (!Files.isRegularFile(metrics)) {
                continue;
            }
            Map<String, Object> m;
            try {
                m = RunFolder.JSON.readValue(metrics.toFile(), new TypeReference<>() { });
            } catch (IOException e) {
                continue; // written through a temporary file, so only an unrelated file could be unreadable
            }
            if (!(m.get("history") instanceof List<?> rows)) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("phase", run.phase());
            entry.put("kind", m.get("kind"));
            entry.put("stoppedBy", m.get("stopped_by"));
            entry.put("rows", rows);
            out.add(entry);
        }
        return out;
    }

    /**
     * The latest sample grid: the evaluation's {@code samples.png} when there is one, else the newest per-epoch grid
     * ({@code pictures/epoch-NNN.png}) of the latest training run. {@code phase} (pretrain, finetune, evaluate) picks
     * one run; null means the latest available.
     */
    public static Optional<Path> samples(JobType type, Path runDir, String phase) {
        List<Run> runs = new ArrayList<>(runs(type, runDir));
        java.util.Collections.reverse(runs);
        for (Run run : runs) {
            if (phase != null && !phase.equals(run.phase())) {
                continue;
            }
            Path pictures = run.dir().resolve("pictures");
            Path evaluation = pictures.resolve("samples.png");
            if (Files.isRegularFile(evaluation)) {
                return Optional.of(evaluation);
            }
            if (Files.isDirectory(pictures)) {
                try (Stream<Path> files = Files.list(pictures)) {
                    Optional<Path> newest = files.filter(p -> p.getFileName().toString().matches("epoch-\\d+\\.png"))
                            .max(java.util.Comparator.comparing(p -> p.getFileName().toString()));
                    if (newest.isPresent()) {
                        return newest;
                    }
                } catch (IOException e) {
                    // an unreadable folder has no grid to offer
                }
            }
        }
        return Optional.empty();
    }

    /** The exported model file ({@code onnx}) or manifest ({@code manifest}) of the job, when it exported one. */
    public static Optional<Path> artifact(JobType type, Path runDir, String file) {
        return exportDir(type, runDir).map(dir -> {
            if (ModelManifest.FILE_NAME.equals(file)) {
                return dir.resolve(ModelManifest.FILE_NAME);
            }
            Path manifest = dir.resolve(ModelManifest.FILE_NAME);
            String onnx = ModelManifest.DEFAULT_ONNX_FILE;
            if (Files.isRegularFile(manifest)) {
                try {
                    onnx = ModelManifest.read(manifest).validate().onnxFile(); // validated: a plain file name
                } catch (RuntimeException e) {
                    // fall back to the default name; the download then fails as missing
                }
            }
            return dir.resolve(onnx);
        }).filter(Files::isRegularFile);
    }
}
