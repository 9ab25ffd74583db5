package io.endostream.gateway;

import io.endostream.contracts.model.ModelManifest;

import java.nio.file.Files;
import java.nio.file.Path;

/** The committed fixture model of inference-service (a real MobileNetV2 U-Net), reused, not copied. */
public final class TestModels {

    public static final Path DIR = Path.of("../inference-service/src/test/resources/models/polyp-fixture");
    public static final Path ONNX = DIR.resolve("model.onnx");
    public static final String SHA256 = "334aa97fd39e579e330b8a4d463a9599c6cfc333f01d77c231c9ccb8baaafbb6";

    private TestModels() {
    }

    public static ModelManifest manifest() {
        return ModelManifest.read(DIR.resolve("manifest.json"));
    }

    /** The fixture's manifest JSON with another version (and without onnxSha256: the gateway computes it). */
    public static String manifestJson(String version) throws Exception {
        String json = Files.readString(DIR.resolve("manifest.json"));
        return json.replace("\"version\" : \"2026.11.27-3\"", "\"version\" : \"" + version + "\"")
                .replaceAll("\"onnxSha256\" : \"[0-9a-f]+\",", "");
    }
}
