package io.endostream.trainer.model;

/**
 * Shape and optimiser settings of a {@link MobileNetV2UNet}.
 *
 * @param inputSize       square input side in pixels (default 128); a multiple of 32 because the encoder halves
 *                        the resolution five times
 * @param widthMultiplier MobileNetV2 width multiplier alpha (default 0.35); channel counts are
 *                        {@code alpha * base} rounded to a multiple of 8, as in the MobileNetV2 paper
 * @param decoderWidth    base channel count of the decoder (default 16): the deepest decoder stage has 4x,
 *                        the next 2x, the shallow ones 1x
 * @param seed            weight-initialisation seed (default 42)
 * @param learningRate    Adam learning rate (default 1e-3)
 */
public record UNetConfig(int inputSize, double widthMultiplier, int decoderWidth, long seed, double learningRate) {

    public UNetConfig {
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("inputSize must be a positive multiple of 32, was " + inputSize);
        }
        if (!(widthMultiplier > 0) || widthMultiplier > 4) {
            throw new IllegalArgumentException("widthMultiplier must be in (0, 4], was " + widthMultiplier);
        }
        if (decoderWidth < 1) {
            throw new IllegalArgumentException("decoderWidth must be >= 1, was " + decoderWidth);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, was " + learningRate);
        }
    }

    /** inputSize 128, alpha 0.35, decoderWidth 16, seed 42, learning rate 1e-3. */
    public static UNetConfig defaults() {
        return new UNetConfig(128, 0.35, 16, 42L, 1e-3);
    }

    public UNetConfig withInputSize(int size) {
        return new UNetConfig(size, widthMultiplier, decoderWidth, seed, learningRate);
    }

    public UNetConfig withWidthMultiplier(double alpha) {
        return new UNetConfig(inputSize, alpha, decoderWidth, seed, learningRate);
    }

    public UNetConfig withDecoderWidth(int width) {
        return new UNetConfig(inputSize, widthMultiplier, width, seed, learningRate);
    }

    public UNetConfig withSeed(long newSeed) {
        return new UNetConfig(inputSize, widthMultiplier, decoderWidth, newSeed, learningRate);
    }

    public UNetConfig withLearningRate(double lr) {
        return new UNetConfig(inputSize, widthMultiplier, decoderWidth, seed, lr);
    }
}
