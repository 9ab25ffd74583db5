package io.endostream.contracts.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.endostream.contracts.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an inference service needs to run a model version, stored as {@value #FILE_NAME} beside the ONNX file.
 *
 * @param name        model name, e.g. {@code polyp-unet}; letters, digits, {@code . _ - +}
 * @param version     version, e.g. {@code 2026.11.27-1}; same characters
 * @param onnxSha256  SHA-256 of the ONNX file, 64 lower-case hex digits; verified before load
 * @param onnxFile    ONNX file name beside the manifest; default {@value #DEFAULT_ONNX_FILE}
 * @param input       the image tensor the model expects
 * @param output      the mask tensor it produces
 * @param training    how it was trained (optional)
 * @param metrics     evaluation metrics, e.g. {@code dice}, {@code iou} (optional)
 * @param createdAt   RFC 3339 time the version was created (optional)
 */
@JsonPropertyOrder({"name", "version", "onnxSha256", "onnxFile", "input", "output", "training", "metrics", "createdAt"})
public record ModelManifest(String name, String version, String onnxSha256, String onnxFile, Input input,
                            Output output, Training training, Map<String, Double> metrics, String createdAt) {

    public static final String FILE_NAME = "manifest.json";
    public static final String DEFAULT_ONNX_FILE = "model.onnx";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelManifest {
        if (onnxFile == null) {
            onnxFile = DEFAULT_ONNX_FILE;
        }
    }

    /**
     * The image tensor.
     *
     * @param name          input name in the ONNX graph
     * @param layout        {@code "NCHW"} or {@code "NHWC"}
     * @param width         model input width, pixels
     * @param height        model input height, pixels
     * @param channelOrder  {@code "RGB"} or {@code "BGR"}
     * @param mean          per channel (in channelOrder), subtracted after scaling
     * @param std           per channel, divides after subtracting the mean
     * @param scale         applied to 0..255 pixel values first, e.g. 1/255
     * @param dynamicBatch  whether the batch dimension is dynamic
     * @param maxBatch      largest batch to send
     */
    @JsonPropertyOrder({"name", "layout", "width", "height", "channelOrder", "mean", "std", "scale", "dynamicBatch", "maxBatch"})
    public record Input(String name, String layout, int width, int height, String channelOrder, double[] mean,
                        double[] std, double scale, boolean dynamicBatch, int maxBatch) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Input other && width == other.width && height == other.height
                    && Double.compare(scale, other.scale) == 0 && dynamicBatch == other.dynamicBatch
                    && maxBatch == other.maxBatch && java.util.Objects.equals(name, other.name)
                    && java.util.Objects.equals(layout, other.layout)
                    && java.util.Objects.equals(channelOrder, other.channelOrder)
                    && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(name, layout, width, height, channelOrder, Arrays.hashCode(mean),
                    Arrays.hashCode(std), scale, dynamicBatch, maxBatch);
        }

        @Override
        public String toString() {
            return "Input[name=" + name + ", layout=" + layout + ", width=" + width + ", height=" + height
                    + ", channelOrder=" + channelOrder + ", mean=" + Arrays.toString(mean) + ", std="
                    + Arrays.toString(std) + ", scale=" + scale + ", dynamicBatch=" + dynamicBatch
                    + ", maxBatch=" + maxBatch + "]";
        }
    }

    /**
     * The mask tensor.
     *
     * @param name       output name in the ONNX graph
     * @param activation {@code "sigmoid"} to apply to logits, {@code "none"} when the graph already ends in a sigmoid
     * @param threshold  probability above which a pixel is polyp, 0 &lt; t &lt; 1
     */
    @JsonPropertyOrder({"name", "activation", "threshold"})
    public record Output(String name, String activation, double threshold) {
    }

    /**
     * Training summary.
     *
     * @param dataset          dataset description, e.g. {@code kvasir-seg}
     * @param labelledImages   images with masks used for fine-tuning
     * @param unlabelledImages images used for self-supervised pretraining
     * @param pretraining      pretraining objective, e.g. {@code inpainting}, or {@code none}
     * @param details          anything else (hyper-parameters, epochs...)
     */
    @JsonPropertyOrder({"dataset", "labelledImages", "unlabelledImages", "pretraining", "details"})
    public record Training(String dataset, int labelledImages, int unlabelledImages, String pretraining,
                           Map<String, Object> details) {
    }

    /** Reads a manifest; JSON errors raise {@link InvalidManifestException} naming the file. Does not validate. */
    public static ModelManifest read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model manifest " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a manifest from a stream (not closed). Does not validate. */
    public static ModelManifest read(InputStream in) {
        try {
            return parse(in, "model manifest");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model manifest: " + e.getMessage(), e);
        }
    }

    private static ModelManifest parse(InputStream in, String what) throws IOException {
        try {
            ModelManifest manifest = Json.mapper().readValue(in, ModelManifest.class);
            if (manifest == null) {
                throw new InvalidManifestException(what, List.of("the document is empty or null"));
            }
            return manifest;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new InvalidManifestException(what, List.of("not valid manifest JSON" + where + ": "
                    + e.getOriginalMessage()));
        }
    }

    /** The manifest as pretty-printed JSON. */
    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write manifest JSON", e);
        }
    }

    /** Writes pretty-printed JSON, atomically (temporary file in the same directory, then rename). */
    public void write(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, toJson() + "\n");
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model manifest " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks every field and reports all problems at once.
     *
     * @return this manifest, when valid
     * @throws InvalidManifestException listing each problem with its field path
     */
    public ModelManifest validate() {
        List<String> problems = new ArrayList<>();
        checkName(problems, "name", name);
        checkName(problems, "version", version);
        if (onnxSha256 == null || !SHA256.matcher(onnxSha256).matches()) {
            problems.add("onnxSha256 must be 64 lower-case hex digits, was " + quote(onnxSha256));
        }
        if (onnxFile.isBlank() || onnxFile.contains("/") || onnxFile.contains("\\") || onnxFile.equals("..")
                || onnxFile.equals(".")) {
            problems.add("onnxFile must be a plain file name beside the manifest, was " + quote(onnxFile));
        }
        if (input == null) {
            problems.add("input is required");
        } else {
            checkInput(problems, input);
        }
        if (output == null) {
            problems.add("output is required");
        } else {
            blank(problems, "output.name", output.name());
            if (!"sigmoid".equals(output.activation()) && !"none".equals(output.activation())) {
                problems.add("output.activation must be \"sigmoid\" or \"none\", was " + quote(output.activation()));
            }
            if (!(output.threshold() > 0 && output.threshold() < 1)) {
                problems.add("output.threshold must be > 0 and < 1, was " + output.threshold());
            }
        }
        if (training != null) {
            if (training.labelledImages() < 0) {
                problems.add("training.labelledImages must be >= 0, was " + training.labelledImages());
            }
            if (training.unlabelledImages() < 0) {
                problems.add("training.unlabelledImages must be >= 0, was " + training.unlabelledImages());
            }
        }
        if (metrics != null) {
            metrics.forEach((metric, value) -> {
                if (value == null || !Double.isFinite(value)) {
                    problems.add("metrics." + metric + " must be a finite number, was " + value);
                }
            });
        }
        if (createdAt != null) {
            try {
                OffsetDateTime.parse(createdAt);
            } catch (DateTimeParseException e) {
                problems.add("createdAt must be an RFC 3339 time such as 2026-11-27T08:00:00Z, was " + quote(createdAt));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidManifestException("model manifest " + name + ":" + version, problems);
        }
        return this;
    }

    private static void checkInput(List<String> problems, Input in) {
        blank(problems, "input.name", in.name());
        if (!"NCHW".equals(in.layout()) && !"NHWC".equals(in.layout())) {
            problems.add("input.layout must be \"NCHW\" or \"NHWC\", was " + quote(in.layout()));
        }
        if (in.width() <= 0) {
            problems.add("input.width must be > 0, was " + in.width());
        }
        if (in.height() <= 0) {
            problems.add("input.height must be > 0, was " + in.height());
        }
        if (!"RGB".equals(in.channelOrder()) && !"BGR".equals(in.channelOrder())) {
            problems.add("input.channelOrder must be \"RGB\" or \"BGR\", was " + quote(in.channelOrder()));
        }
        if (in.mean() == null || in.mean().length != 3) {
            problems.add("input.mean must have 3 values (one per channel), was " + describe(in.mean()));
        } else {
            for (int i = 0; i < 3; i++) {
                if (!Double.isFinite(in.mean()[i])) {
                    problems.add("input.mean[" + i + "] must be finite, was " + in.mean()[i]);
                }
            }
        }
        if (in.std() == null || in.std().length != 3) {
            problems.add("input.std must have 3 values (one per channel), was " + describe(in.std()));
        } else {
            for (int i = 0; i < 3; i++) {
                if (!(in.std()[i] > 0) || !Double.isFinite(in.std()[i])) {
                    problems.add("input.std[" + i + "] must be > 0, was " + in.std()[i]);
                }
            }
        }
        if (!(in.scale() > 0) || !Double.isFinite(in.scale())) {
            problems.add("input.scale must be > 0, was " + in.scale());
        }
        if (in.maxBatch() < 1) {
            problems.add("input.maxBatch must be >= 1, was " + in.maxBatch());
        }
    }

    private static void checkName(List<String> problems, String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            problems.add(field + " must be 1-128 letters, digits or . _ - + starting with a letter or digit, was "
                    + quote(value));
        }
    }

    private static void blank(List<String> problems, String field, String value) {
        if (value == null || value.isBlank()) {
            problems.add(field + " must not be blank, was " + quote(value));
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    private static String describe(double[] values) {
        return values == null ? "null" : Arrays.toString(values);
    }

    /** SHA-256 of a file as 64 lower-case hex digits (streams the file; ONNX files can be large). */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[64 * 1024];
            while (in.read(buffer) >= 0) {
                // the digest stream hashes as it reads
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
