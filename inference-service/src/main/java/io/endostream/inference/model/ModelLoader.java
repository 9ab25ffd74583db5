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
 *
 * <p>From a URL: plain HTTP is refused unless allowed (anyone on the path could swap the manifest and its hash
 * together: the manifest's hash proves integrity, not origin); an expected SHA-256 can be pinned in configuration;
 * redirects never downgrade to HTTP; the cache folder must be private (not group- or world-writable).
 * {@link SegmentationModel#open} reads the file once and opens ONNX Runtime from the very bytes it verified.
 */
public final class ModelLoader {

    private final Path cacheDir;
    private final boolean allowPlainHttp;
    private final String pinnedSha256;
    private final HttpClient http;

    /** @param cacheDir where models fetched from a URL are stored (one folder per name/version); HTTPS only, no pin */
    public ModelLoader(Path cacheDir) {
        this(cacheDir, false, null);
    }

    /**
     * @param allowPlainHttp accept {@code http://} URLs (a trusted network only)
     * @param pinnedSha256   when not null, the ONNX file's SHA-256 must be exactly this (hex)
     */
    public ModelLoader(Path cacheDir, boolean allowPlainHttp, String pinnedSha256) {
        this.cacheDir = cacheDir;
        this.allowPlainHttp = allowPlainHttp;
        this.pinnedSha256 = pinnedSha256 == null ? null : pinnedSha256.trim().toLowerCase(java.util.Locale.ROOT);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(allowPlainHttp ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER).build();
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
        checkPin(manifest, manifestFile.toString());
        verify(manifest, onnx);
        return new ModelArtifact(manifest, onnx);
    }

    /**
     * Loads from a base URL: fetches {@code <url>/manifest.json}, then {@code <url>/<onnxFile>} into the cache
     * folder (skipped when a verified copy is already there), then verifies it.
     */
    public ModelArtifact fromUrl(URI base) {
        if ("http".equalsIgnoreCase(base.getScheme()) && !allowPlainHttp) {
            throw new ModelLoadException("model URL " + base + " is plain HTTP: use HTTPS, or set "
                    + "endostream.inference.model.allow-plain-http=true on a trusted network");
        }
        if (!"http".equalsIgnoreCase(base.getScheme()) && !"https".equalsIgnoreCase(base.getScheme())) {
            throw new ModelLoadException("model URL " + base + " must be https:// (endostream.inference.model.url)");
        }
        privateCacheDir();
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
        checkPin(manifest, manifestUri.toString());
        Path dir = cacheDir.resolve(manifest.name()).resolve(manifest.version()).normalize();
        if (!dir.startsWith(cacheDir.normalize())) {
            throw new ModelLoadException("manifest " + manifestUri + " names a model outside the cache folder");
        }
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

    private void checkPin(ModelManifest manifest, String where) {
        if (pinnedSha256 != null && !pinnedSha256.equalsIgnoreCase(manifest.onnxSha256())) {
            throw new ModelLoadException("model at " + where + " has SHA-256 " + manifest.onnxSha256()
                    + " but endostream.inference.model.sha256 pins " + pinnedSha256 + ": refusing to load it");
        }
    }

    /** Creates the cache folder owner-only; refuses one others can write (they could plant a model). */
    private void privateCacheDir() {
        try {
            boolean posix = cacheDir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(cacheDir)) {
                if (posix) {
                    Files.createDirectories(cacheDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(cacheDir);
                }
            }
            if (posix) {
                var perms = Files.getPosixFilePermissions(cacheDir);
                if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)
                        || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)) {
                    throw new ModelLoadException("model cache " + cacheDir + " is writable by others ("
                            + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "): set "
                            + "endostream.inference.model.cache-dir to a private folder");
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot create the model cache " + cacheDir
                    + " (endostream.inference.model.cache-dir): " + e.getMessage(), e);
        }
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
