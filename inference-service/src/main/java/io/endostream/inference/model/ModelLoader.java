package io.endostream.inference.model;

import io.endostream.contracts.model.ModelManifest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Finds a model version (a {@code manifest.json} and the ONNX file it names) in a local folder or under a URL,
 * validates the manifest and verifies the ONNX file's SHA-256 before anything loads it. A version that fails
 * never takes traffic.
 */
public final class ModelLoader {

    private final Path cacheDir;
    private final HttpClient http;

    /** @param cacheDir where models fetched from a URL are stored (one folder per name/version) */
    public ModelLoader(Path cacheDir) {
        this.cacheDir = cacheDir;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Loads from {@code dir/manifest.json} and {@code dir/<onnxFile>}. */
    public ModelArtifact fromDirectory(Path dir) {
        Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) {
            throw new ModelLoadException("model folder " + dir + " has no " + ModelManifest.FILE_NAME);
        }
        ModelManifest manifest;
        try {
            manifest = ModelManifest.read(manifestFile).validate();
        } catch (RuntimeException e) {
            throw new ModelLoadException("invalid model manifest " + manifestFile + ": " + e.getMessage(), e);
        }
        Path onnx = dir.resolve(manifest.onnxFile());
        if (!Files.isRegularFile(onnx)) {
            throw new ModelLoadException("model file " + onnx + " named by " + manifestFile + " does not exist");
        }
        verify(manifest, onnx);
        return new ModelArtifact(manifest, onnx);
    }

    /**
     * Loads from a base URL: fetches {@code <url>/manifest.json}, then {@code <url>/<onnxFile>} into the cache
     * folder (skipped when a verified copy is already there), then verifies it.
     */
    public ModelArtifact fromUrl(URI base) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        URI manifestUri = URI.create(root + ModelManifest.FILE_NAME);
        ModelManifest manifest;
        try (InputStream in = get(manifestUri)) {
            manifest = ModelManifest.read(in).validate();
        } catch (IOException e) {
            throw new ModelLoadException("cannot fetch model manifest " + manifestUri + ": " + e.getMessage(), e);
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException("invalid model manifest " + manifestUri + ": " + e.getMessage(), e);
        }
        Path dir = cacheDir.resolve(manifest.name()).resolve(manifest.version());
        Path onnx = dir.resolve(manifest.onnxFile());
        try {
            Files.createDirectories(dir);
            manifest.write(dir.resolve(ModelManifest.FILE_NAME));
            if (!Files.isRegularFile(onnx) || !manifest.onnxSha256().equals(ModelManifest.sha256(onnx))) {
                URI onnxUri = URI.create(root + manifest.onnxFile());
                Path partial = Files.createTempFile(dir, manifest.onnxFile(), ".part");
                try (InputStream in = get(onnxUri)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(partial, onnx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot fetch model " + root + manifest.onnxFile() + " into " + dir + ": "
                    + e.getMessage(), e);
        }
        verify(manifest, onnx);
        return new ModelArtifact(manifest, onnx);
    }

    private InputStream get(URI uri) throws IOException {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void verify(ModelManifest manifest, Path onnx) {
        String actual = ModelManifest.sha256(onnx);
        if (!actual.equals(manifest.onnxSha256())) {
            throw new ModelLoadException("SHA-256 of " + onnx + " is " + actual + " but its manifest says "
                    + manifest.onnxSha256() + ": refusing to load " + manifest.name() + ":" + manifest.version());
        }
    }
}
