package io.endostream.trainer.cli;

import io.endostream.trainer.model.UNetConfig;
import picocli.CommandLine.Option;

/** Network shape options shared by pretrain and finetune. */
public class ModelOptions {
    @Option(names = "--input-size", defaultValue = "128", description = "Square model input, a multiple of 32 (default ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--alpha", defaultValue = "0.35", description = "MobileNetV2 width multiplier (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--decoder-width", defaultValue = "16", description = "Base decoder channels (default ${DEFAULT-VALUE}).")
    int decoderWidth;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--model-seed", defaultValue = "42", description = "Weight initialisation seed (default ${DEFAULT-VALUE}).")
    long modelSeed;

    UNetConfig toConfig() {
        return new UNetConfig(inputSize, alpha, decoderWidth, modelSeed, learningRate);
    }
}
