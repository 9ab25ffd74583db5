package io.endostream.trainer.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Checkpoints for resuming training: one zip = DL4J's ModelSerializer format (configuration, parameters incl. BN
 * statistics, updater state) plus a JSON entry {@value #STATE_ENTRY} with the caller's training state (epoch,
 * iteration, best score, ...). The zip is written to a temporary file and moved into place, so a crash while saving
 * leaves the previous checkpoint intact.
 */
public final class ModelCheckpoints {

    /** Zip entry holding the training state as JSON. */
    public static final String STATE_ENTRY = "endostream-training-state.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A restored network and the training state saved with it (empty map when none was saved). */
    public record Checkpoint(ComputationGraph graph, Map<String, Object> state) {
    }

    static {
        io.endostream.trainer.model.Dl4jNative.configure();
    }

    private ModelCheckpoints() {
    }

    public static void save(ComputationGraph graph, Path zip, Map<String, Object> trainingState) {
        try {
            Path dir = zip.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, zip.getFileName().toString(), ".tmp");
            try {
                ModelSerializer.writeModel(graph, tmp.toFile(), true);
                try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + tmp.toUri()), Map.of())) {
                    Files.write(fs.getPath(STATE_ENTRY),
                            JSON.writeValueAsBytes(trainingState == null ? Map.of() : trainingState));
                }
                Files.move(tmp, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + zip + ": " + e.getMessage(), e);
        }
    }

    /** Only the training state of a checkpoint (no network is restored); empty when it has none. */
    public static Map<String, Object> loadState(Path zip) {
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of())) {
            Path entry = fs.getPath(STATE_ENTRY);
            if (!Files.exists(entry)) {
                return new LinkedHashMap<>();
            }
            try (InputStream in = Files.newInputStream(entry)) {
                return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + zip + ": " + e.getMessage(), e);
        }
    }

    public static Checkpoint load(Path zip) {
        if (!Files.isRegularFile(zip)) {
            throw new IllegalArgumentException("checkpoint " + zip + " does not exist or is not a file");
        }
        try {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(zip.toFile(), true);
            Map<String, Object> state = new LinkedHashMap<>();
            try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of())) {
                Path entry = fs.getPath(STATE_ENTRY);
                if (Files.exists(entry)) {
                    try (InputStream in = Files.newInputStream(entry)) {
                        state = JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {
                        });
                    }
                }
            }
            return new Checkpoint(graph, state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + zip + ": " + e.getMessage(), e);
        }
    }
}
