package io.endostream.trainer.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a labelled dataset splits; pretrain, finetune and evaluate must agree on it (leakage guard, held-out set). */
public class SplitOptions {
    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Share of non-test images for validation (default ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--split-seed", defaultValue = "1", description = "Seed of the train/validation split (default ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--test-list", description = "File listing held-out test images (one name per line), e.g. Kvasir-SEG's 880/120 split.")
    Path testList;

    String testListOrNull() {
        return testList == null ? null : testList.toString();
    }
}
