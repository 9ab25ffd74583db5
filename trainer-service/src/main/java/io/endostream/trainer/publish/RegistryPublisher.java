package io.endostream.trainer.publish;

import io.endostream.contracts.model.ModelManifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code publish --registry}: copies an export into a folder in the registry's
 * layout {@code <registry>/<name>/<version>/{model.onnx, manifest.json}} after checking the manifest is valid and the
 * ONNX file's SHA-256 matches it. Versions are immutable: publishing an existing version fails unless it is the same
 * file (same SHA-256), which is a no-op.
 */
public final class RegistryPublisher {
    private RegistryPublisher() {
    }

    public record Published(Path folder, String name, String version, String sha256, boolean alreadyPresent) {
    }

    /** An export folder whose manifest is valid and whose ONNX file has the SHA-256 the manifest states. */
    public record Export(ModelManifest manifest, Path manifestFile, Path onnx, String sha256) {
    }

    /** Reads and checks an export folder (what {@code export} wrote); shared by both publish targets. */
    public static Export readExport(Path exportDir) {
        Path manifestFile = exportDir.resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IllegalArgumentException(manifestFile + " does not exist: publish takes an export folder");
        }
        ModelManifest manifest = ModelManifest.read(manifestFile).validate();
        Path onnx = exportDir.resolve(manifest.onnxFile());
        if (!Files.isRegularFile(onnx)) {
            throw new IllegalArgumentException(onnx + " (manifest onnxFile) does not exist");
        }
        String sha = ModelManifest.sha256(onnx);
        if (!sha.equals(manifest.onnxSha256())) {
            throw new IllegalArgumentException(onnx + " has SHA-256 " + sha + " but " + manifestFile + " says "
                    + manifest.onnxSha256());
        }
        return new Export(manifest, manifestFile, onnx, sha);
    }

    public static Published publish(Path exportDir, Path registry) {
        Export export = readExport(exportDir);
        ModelManifest manifest = export.manifest();
        Path onnx = export.onnx();
        String sha = export.sha256();
        Path target = registry.resolve(manifest.name()).resolve(manifest.version());
        Path targetManifest = target.resolve(ModelManifest.FILE_NAME);
        if (Files.exists(targetManifest)) {
            ModelManifest existing = ModelManifest.read(targetManifest);
            if (sha.equals(existing.onnxSha256())) {
                return new Published(target, manifest.name(), manifest.version(), sha, true);
            }
            throw new IllegalArgumentException(manifest.name() + ":" + manifest.version() + " is already published in "
                    + target + " with another model (SHA-256 " + existing.onnxSha256() + "): choose a new version");
        }
        try {
            Files.createDirectories(registry);
            Path staging = Files.createTempDirectory(registry, ".publish-");
            Files.copy(onnx, staging.resolve(manifest.onnxFile()));
            manifest.write(staging.resolve(ModelManifest.FILE_NAME));
            Files.createDirectories(target.getParent());
            // whole version folder appears at once
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish to " + target + ": " + e.getMessage(), e);
        }
        return new Published(target, manifest.name(), manifest.version(), sha, false);
    }
}
