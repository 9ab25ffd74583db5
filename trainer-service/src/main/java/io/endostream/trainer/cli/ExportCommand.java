package io.endostream.trainer.cli;

import io.endostream.trainer.export.ExportResult;
import io.endostream.trainer.publish.CheckpointExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.run.ProgressTracker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a fine-tuned checkpoint to ONNX (opset 13, dynamic batch) + manifest.json.",
                "Parity with DL4J is proven with ONNX Runtime before anything is written: logits within 1e-3, probabilities within 1e-4."})
public class ExportCommand implements Callable<Integer>, RunnableCommand {

    @Option(names = "--checkpoint", required = true, description = "Fine-tuning checkpoint (best.zip).")
    Path checkpoint;

    @Option(names = "--out", description = "Output folder for model.onnx and manifest.json (required on the command line).")
    Path out;

    @Option(names = "--name", defaultValue = "polyp-unet", description = "Model name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--model-version", required = true, description = "Model version, e.g. 2026.11.27-1.")
    String version;

    @Option(names = "--evaluation", description = "metrics.json of an evaluate run: its means go into the manifest's metrics.")
    Path evaluation;

    @Option(names = "--dataset-name", description = "Dataset description for the manifest (default: the path trained on).")
    String datasetName;

    @Option(names = "--parity-samples", defaultValue = "16", description = {"Frames for the parity proof (default ${DEFAULT-VALUE}): validation frames of the checkpoint's dataset while it is on disk, else random images.",
            "Logits (before the sigmoid) are compared at batch sizes 1, 4 and 8; the share of mask pixels that flip at the threshold is reported."})
    int paritySamples;

    @Option(names = "--max-batch", defaultValue = "16", description = "manifest input.maxBatch (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--threshold", defaultValue = "0.5", description = "manifest output.threshold (default ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Path runDir() {
        return out;
    }

    @Override
    public void defaultRunDir(Path dir) {
        if (out == null) {
            out = dir;
        }
    }

    @Override
    public Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled) {
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        ProgressTracker tracker = new ProgressTracker("export", 1, listener, cancelled);
        tracker.report(Map.of(), "exporting " + checkpoint.getFileName() + " and proving parity with ONNX Runtime");
        ExportResult r = new CheckpointExport(checkpoint.toString(), out.toString(), name, version,
                evaluation == null ? null : evaluation.toString(), datasetName, paritySamples, maxBatch, threshold).run();
        tracker.step(1, Map.of("max_abs_diff", r.maxAbsDiff()), "exported");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("onnx", r.onnx().toString());
        summary.put("manifest", r.manifest().toString());
        summary.put("sha256", r.sha256());
        summary.put("max_abs_diff", r.maxAbsDiff());
        summary.put("parity", r.parity().toMap());
        summary.put("parity_summary", r.parity().describe());
        return summary;
    }

    @Override
    public Integer call() {
        Map<String, Object> s = execute(new ConsoleProgressBar(System.err), () -> false);
        System.out.printf(Locale.ROOT, "exported %s (sha256 %s), parity max abs diff %.3g%n", s.get("onnx"), s.get("sha256"),
                s.get("max_abs_diff"));
        System.out.println("manifest: " + s.get("manifest"));
        System.out.println(s.get("parity_summary"));
        return 0;
    }
}
