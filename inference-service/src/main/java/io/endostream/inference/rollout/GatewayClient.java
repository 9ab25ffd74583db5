package io.endostream.inference.rollout;

import io.endostream.contracts.control.ModelVersionRecord;
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
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Fetches a model version's ONNX file from the gateway ({@code GET <gateway>/api/models/<name>/<version>/model.onnx},
 * bearer token when configured) into a cache folder and verifies its SHA-256 against the manifest read from the
 * {@code endostream.models} topic: a file whose hash differs is deleted and refused ({@link VerificationException}).
 * A verified copy already in the cache is not fetched again. The token is never logged.
 */
public final class GatewayClient {

    /** The fetched bytes are not the registered ones. */
    public static final class VerificationException extends RuntimeException {
        public VerificationException(String message) {
            super(message);
        }
    }

    private final URI gateway;
    private final Optional<String> token;
    private final Path cacheDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public GatewayClient(URI gateway, Optional<String> token, Path cacheDir) {
        String base = gateway.toString();
        this.gateway = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token.filter(t -> !t.isBlank());
        this.cacheDir = cacheDir;
    }

    /**
     * The version's folder ({@code manifest.json} + ONNX file), fetched if needed and verified.
     *
     * @throws VerificationException when the artifact's SHA-256 differs from the registered one
     * @throws IOException           when the gateway cannot be reached or refuses
     */
    public Path fetch(ModelVersionRecord record) throws IOException {
        ModelManifest manifest = record.manifest();
        Path dir = cacheDir.resolve(manifest.name()).resolve(manifest.version());
        Path onnx = dir.resolve(manifest.onnxFile());
        Files.createDirectories(dir);
        manifest.write(dir.resolve(ModelManifest.FILE_NAME));
        if (Files.isRegularFile(onnx) && manifest.onnxSha256().equals(sha256(onnx))) {
            return dir;
        }
        URI uri = gateway.resolve("api/models/" + manifest.name() + "/" + manifest.version() + "/model.onnx");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET();
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        Path partial = Files.createTempFile(dir, manifest.onnxFile(), ".part");
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("gateway answered HTTP " + response.statusCode() + " for " + uri);
                }
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = sha256(partial);
            if (!actual.equals(manifest.onnxSha256())) {
                throw new VerificationException("SHA-256 of " + record.key() + " fetched from " + uri + " is " + actual
                        + " but the registered one is " + manifest.onnxSha256() + ": refused");
            }
            Files.move(partial, onnx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the gateway's readiness endpoint answers 200 (used to report a gateway that is down). */
    public boolean reachable() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(gateway.resolve("q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
