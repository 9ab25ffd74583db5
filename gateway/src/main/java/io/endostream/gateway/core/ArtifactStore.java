package io.endostream.gateway.core;

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
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Content-addressed artifact store in a folder: an ONNX file lives at {@code <root>/sha256/<first 2 hex>/<sha256>}.
 * The same bytes are stored once; a stored file is never rewritten.
 */
public final class ArtifactStore {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    public ArtifactStore(Path root) {
        this.root = root.toAbsolutePath();
        try {
            Files.createDirectories(this.root.resolve("sha256"));
            Files.createDirectories(this.root.resolve("incoming"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact store folder " + this.root + ": "
                    + e.getMessage(), e);
        }
    }

    /** A stored file: its SHA-256 and size. */
    public record Stored(String sha256, long sizeBytes, Path path) {
    }

    /** Hashes a file (streaming). */
    public static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Copies {@code upload} into the store (if its content is not there yet) and returns where it is. */
    public Stored put(Path upload) {
        String sha = sha256(upload);
        Path target = path(sha);
        try {
            long size = Files.size(upload);
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(root.resolve("incoming"), sha, ".part");
                try (InputStream in = Files.newInputStream(upload)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return new Stored(sha, size, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store artifact " + sha + " in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Where the artifact with this SHA-256 is (or would be) stored. */
    public Path path(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw ApiException.badRequest("sha256", "sha256 must be 64 lower-case hex digits, was " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    public boolean has(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    public Path root() {
        return root;
    }
}
