package io.endostream.trainer.publish;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.trainer.run.RunFolder;
import org.apache.http.HttpEntity;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.mime.MultipartEntityBuilder;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code publish --gateway}: registers an export with the gateway's model registry, {@code POST <gateway>/api/models}
 * with the multipart parts {@code manifest} (JSON) and {@code model} (the ONNX file), as an {@code operator}. The export
 * is checked locally first ({@link RegistryPublisher#readExport}); the gateway computes the SHA-256 itself, checks the
 * graph against the manifest and answers 201 with the registered version, or a 4xx
 * {@code {"status","field","error"}} that {@link RefusedException} carries. The token is sent, never printed.
 */
public final class GatewayPublisher {
    private GatewayPublisher() {
    }

    /** What the gateway registered. */
    public record Registered(String name, String version, String sha256, long sizeBytes, String artifactPath,
                             URI modelUri) {
    }

    /** The gateway refused (4xx/5xx) or could not be reached; the message says why, with the gateway's own words. */
    public static final class RefusedException extends RuntimeException {
        private final int status;

        public RefusedException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** HTTP status, 0 when the gateway was not reached. */
        public int status() {
            return status;
        }
    }

    /**
     * @param exportDir folder written by {@code export} (model.onnx + manifest.json)
     * @param gateway   the gateway's base URL, e.g. {@code http://localhost:8080}
     * @param token     bearer token with the operator role, or null
     * @param timeout   connect and read timeout
     */
    public static Registered publish(Path exportDir, URI gateway, String token, Duration timeout) {
        RegistryPublisher.Export export = RegistryPublisher.readExport(exportDir);
        URI models = base(gateway).resolve("api/models");
        HttpPost post = new HttpPost(models);
        if (token != null && !token.isBlank()) {
            post.setHeader("Authorization", "Bearer " + token.strip());
        }
        post.setHeader("Accept", "application/json");
        post.setEntity(MultipartEntityBuilder.create()
                .addBinaryBody("manifest", export.manifestFile().toFile(), ContentType.APPLICATION_JSON,
                        "manifest.json")
                .addBinaryBody("model", export.onnx().toFile(), ContentType.APPLICATION_OCTET_STREAM,
                        export.onnx().getFileName().toString())
                .build());
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        RequestConfig config = RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis).build();
        int status;
        String body;
        try (CloseableHttpClient client = HttpClients.custom().setDefaultRequestConfig(config).build();
             CloseableHttpResponse response = client.execute(post)) {
            status = response.getStatusLine().getStatusCode();
            HttpEntity entity = response.getEntity();
            body = entity == null ? "" : EntityUtils.toString(entity, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RefusedException(0, "cannot reach the gateway at " + models + ": " + e);
        }
        if (status != 201 && status != 200) {
            throw new RefusedException(status, refusal(status, body, models));
        }
        JsonNode record;
        try {
            record = RunFolder.JSON.readTree(body);
        } catch (IOException e) {
            throw new RefusedException(status, "the gateway answered " + status + " but not with a model version: "
                    + abbreviate(body));
        }
        JsonNode manifest = record.path("manifest");
        String sha = manifest.path("onnxSha256").asText(null);
        if (!export.sha256().equals(sha)) {
            throw new RefusedException(status, "the gateway registered SHA-256 " + sha + " but the local file has "
                    + export.sha256() + ": the upload was altered");
        }
        String name = manifest.path("name").asText();
        String version = manifest.path("version").asText();
        return new Registered(name, version, sha, record.path("sizeBytes").asLong(),
                record.path("artifactPath").asText(null), models.resolve("models/" + name + "/" + version));
    }

    /** The gateway's refusal in one line: its status, the field it names and its message. */
    static String refusal(int status, String body, URI url) {
        String field = null;
        String error = null;
        try {
            JsonNode problem = RunFolder.JSON.readTree(body);
            if (problem != null && problem.isObject()) {
                field = problem.path("field").isTextual() ? problem.path("field").asText() : null;
                error = problem.path("error").isTextual() ? problem.path("error").asText() : null;
            }
        } catch (IOException e) {
            // not JSON: the raw body below
        }
        StringBuilder s = new StringBuilder("the gateway refused the model (HTTP ").append(status);
        if (field != null) {
            s.append(", field ").append(field);
        }
        s.append("): ").append(error != null ? error : body == null || body.isBlank() ? "(no message)" : abbreviate(body));
        if (status == 401) {
            s.append(" - no valid token: pass --token-file with a token that has the operator role");
        } else if (status == 403) {
            s.append(" - the token lacks the operator role");
        } else if (status == 404) {
            s.append(" - is ").append(url).append(" the gateway's registry?");
        }
        return s.toString();
    }

    private static URI base(URI gateway) {
        String s = gateway.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    private static String abbreviate(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > 500 ? oneLine.substring(0, 500) + "..." : oneLine;
    }
}
