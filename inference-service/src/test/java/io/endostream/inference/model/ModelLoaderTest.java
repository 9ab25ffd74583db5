package io.endostream.inference.model;

import com.sun.net.httpserver.HttpServer;
import io.endostream.contracts.model.ModelManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models come from a folder or a URL, and only with the SHA-256 their manifest names. */
class ModelLoaderTest {

    @TempDir
    Path dir;

    @Test
    void folderModelIsVerifiedAndATamperedOneRefusedNamingTheFile() throws IOException {
        Path model = writeModel(dir.resolve("v1"), "onnx bytes");
        ModelArtifact artifact = new ModelLoader(dir.resolve("cache")).fromDirectory(model);
        assertEquals("1", artifact.manifest().version());
        Files.writeString(model.resolve("model.onnx"), "tampered");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> new ModelLoader(dir.resolve("cache")).fromDirectory(model));
        assertTrue(e.getMessage().contains("model.onnx") && e.getMessage().contains("SHA-256"), e.getMessage());
        assertThrows(ModelLoadException.class, () -> new ModelLoader(dir).fromDirectory(dir.resolve("missing")));
    }

    @Test
    void urlModelIsFetchedIntoTheCacheAndVerified() throws IOException {
        Path model = writeModel(dir.resolve("served"), "served onnx bytes");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (String file : new String[]{"manifest.json", "model.onnx"}) {
            server.createContext("/models/polyp/1/" + file, exchange -> {
                byte[] body = Files.readAllBytes(model.resolve(file));
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
        }
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/polyp/1");
            ModelLoadException plain = assertThrows(ModelLoadException.class,
                    () -> new ModelLoader(dir.resolve("cache")).fromUrl(base));
            assertTrue(plain.getMessage().contains("allow-plain-http"), plain.getMessage());
            String sha = ModelManifest.sha256(model.resolve("model.onnx"));
            ModelLoadException pinned = assertThrows(ModelLoadException.class,
                    () -> new ModelLoader(dir.resolve("cache"), true, "0".repeat(64)).fromUrl(base));
            assertTrue(pinned.getMessage().contains("endostream.inference.model.sha256"), pinned.getMessage());
            ModelArtifact artifact = new ModelLoader(dir.resolve("cache"), true, sha.toUpperCase()).fromUrl(base);
            assertEquals(dir.resolve("cache/polyp/1/model.onnx"), artifact.onnxFile());
            assertEquals("served onnx bytes", Files.readString(artifact.onnxFile()));
            assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                    java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE),
                    Files.getPosixFilePermissions(dir.resolve("cache")), "the cache is created owner-only");
            Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            ModelLoadException open = assertThrows(ModelLoadException.class,
                    () -> new ModelLoader(shared, true, null).fromUrl(base));
            assertTrue(open.getMessage().contains("writable by others"), open.getMessage());
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> new ModelLoader(dir.resolve("cache"), true, null)
                    .fromUrl(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/nothing/")));
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    private static Path writeModel(Path folder, String onnxContent) throws IOException {
        Files.createDirectories(folder);
        Files.write(folder.resolve("model.onnx"), onnxContent.getBytes(StandardCharsets.UTF_8));
        ModelManifest manifest = new ModelManifest("polyp", "1", ModelManifest.sha256(folder.resolve("model.onnx")),
                "model.onnx", new ModelManifest.Input("input", "NCHW", 128, 128, "RGB", new double[]{0, 0, 0},
                new double[]{1, 1, 1}, 1 / 255.0, true, 8), new ModelManifest.Output("mask", "none", 0.5),
                null, Map.of(), null);
        manifest.write(folder.resolve(ModelManifest.FILE_NAME));
        return folder;
    }
}
