package io.endostream.trainer.cli;

import io.endostream.trainer.export.ExportResult;
import io.endostream.trainer.publish.CheckpointExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a fine-tuned checkpoint to ONNX (opset 13, dynamic batch) + manifest.json.",
                "Parity with DL4J is proven with ONNX Runtime before anything is written (max abs diff <= 1e-4)."})
public class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Fine-tuning checkpoint (best.zip).")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "Output folder for model.onnx and manifest.json.")
    Path out;

    @Option(names = "--name", defaultValue = "polyp-unet", description = "Model name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--version", required = true, description = "Model version, e.g. 2026.11.27-1.")
    String version;

    @Option(names = "--evaluation", description = "metrics.json of an evaluate run: its means go into the manifest's metrics.")
    Path evaluation;

    @Option(names = "--dataset-name", description = "Dataset description for the manifest (default: the path trained on).")
    String datasetName;

    @Option(names = "--parity-samples", defaultValue = "4", description = "Random images for the parity proof (default ${DEFAULT-VALUE}).")
    int paritySamples;

    @Option(names = "--max-batch", defaultValue = "16", description = "manifest input.maxBatch (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--threshold", defaultValue = "0.5", description = "manifest output.threshold (default ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() {
        System.err.println("export   exporting " + checkpoint + " and proving parity with ONNX Runtime...");
        ExportResult r = new CheckpointExport(checkpoint.toString(), out.toString(), name, version,
                evaluation == null ? null : evaluation.toString(), datasetName, paritySamples, maxBatch, threshold).run();
        System.out.printf("exported %s (sha256 %s), parity max abs diff %.3g%n", r.onnx(), r.sha256(), r.maxAbsDiff());
        System.out.println("manifest: " + r.manifest());
        return 0;
    }
}
