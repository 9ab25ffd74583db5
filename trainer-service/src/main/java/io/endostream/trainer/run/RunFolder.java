package io.endostream.trainer.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The folder of one run: {@code config.json} (what was asked), {@code metrics.json} (what was measured, rewritten
 * after every epoch), {@code checkpoints/} (last.zip, best.zip) and {@code pictures/} (curves, sample grids).
 */
public final class RunFolder {
    public static final ObjectMapper JSON = new ObjectMapper()
            .findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final Path dir;

    public RunFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(checkpoints());
            Files.createDirectories(pictures());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir, e);
        }
    }

    /**
     * The overwrite guard: a non-empty run folder is an error unless the run resumes it or {@code overwrite} says to
     * delete its content first. A missing or empty folder is always fine.
     */
    public static void claim(Path dir, boolean resume, boolean overwrite) {
        try {
            if (!Files.isDirectory(dir)) {
                if (Files.exists(dir)) {
                    throw new IllegalArgumentException("--run-dir " + dir + " is a file");
                }
                return;
            }
            boolean empty;
            try (var s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (empty || resume && !overwrite) {
                return;
            }
            if (!overwrite) {
                throw new IllegalArgumentException("--run-dir " + dir + " is not empty: pass --resume to continue it or "
                        + "--overwrite to replace it");
            }
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!p.equals(dir)) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check run folder " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return dir.resolve("config.json");
    }

    public Path metrics() {
        return dir.resolve("metrics.json");
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path lastCheckpoint() {
        return checkpoints().resolve("last.zip");
    }

    public Path bestCheckpoint() {
        return checkpoints().resolve("best.zip");
    }

    public Path pictures() {
        return dir.resolve("pictures");
    }

    public void writeConfig(Object config) {
        writeJson(config(), config);
    }

    public void writeMetrics(Object metrics) {
        writeJson(metrics(), metrics);
    }

    /** Writes through a temporary file so a reader never sees half a JSON document. */
    public static void writeJson(Path file, Object value) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            JSON.writeValue(tmp.toFile(), value);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
