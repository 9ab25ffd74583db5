package io.endostream.gateway.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A client of trainer-service's job API ({@code /jobs...}). Plain JDK HTTP, so tests drive it without Quarkus. Every
 * call carries the caller's own bearer token: the trainer applies its own role rules (viewer reads, operator
 * changes), so the gateway never acts on the trainer with more rights than the signed-in user has.
 */
public final class TrainerClient {

    /** A job id as the trainer hands them out; checked before it becomes part of a URL. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** A trainer answer: its status, content type and body, relayed as they are. */
    public record Reply(int status, String contentType, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param base    the trainer's base URL, e.g. {@code http://127.0.0.1:8083}
     * @param timeout limit for one request/answer (not for event streams, which last as long as the job)
     */
    public TrainerClient(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI base() {
        return base;
    }

    /** The job id, checked: letters, digits, {@code . _ -}, 1-64 characters; else 400 naming the field. */
    public static String jobId(String id) {
        if (id == null || !JOB_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new TrainerException(400, "id", "job id must be 1-64 of A-Z a-z 0-9 . _ -, was '" + id + "'");
        }
        return id;
    }

    public Reply get(String path, String bearer) {
        return send(request(path, bearer).GET().build());
    }

    public Reply post(String path, String json, String bearer) {
        return send(request(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)).build());
    }

    public Reply delete(String path, String bearer) {
        return send(request(path, bearer).DELETE().build());
    }

    /**
     * Opens a server-sent-events stream. A refusal (4xx/5xx) becomes a {@link TrainerException} with the trainer's
     * status and message, before anything is streamed.
     */
    public InputStream openEvents(String path, String bearer) {
        HttpRequest req = HttpRequest.newBuilder(uri(path)).header("Authorization", bearer)
                .header("Accept", "text/event-stream").GET().build(); // no timeout: the stream lasts as long as the job
        HttpResponse<InputStream> res = call(req, HttpResponse.BodyHandlers.ofInputStream());
        if (res.statusCode() / 100 != 2) {
            byte[] body;
            try (InputStream in = res.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw refused(path, new Reply(res.statusCode(), "", body));
        }
        return res.body();
    }

    /**
     * Downloads {@code path} into {@code target} (replaced), refusing more than {@code maxBytes}.
     *
     * @return the number of bytes written
     */
    public long download(String path, String bearer, Path target, long maxBytes) {
        HttpRequest req = request(path, bearer).GET().build();
        HttpResponse<InputStream> res = call(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
            if (res.statusCode() / 100 != 2) {
                throw refused(path, new Reply(res.statusCode(), "", in.readNBytes(64 * 1024)));
            }
            long n = Files.copy(new BoundedInputStream(in, maxBytes), target, StandardCopyOption.REPLACE_EXISTING);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + path + " from the trainer failed: " + e.getMessage(), e);
        }
    }

    /** A trainer refusal as an exception carrying its status and message (its {@code error} field when JSON). */
    public static TrainerException refused(String path, Reply reply) {
        String text = reply.text();
        java.util.regex.Matcher m = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
        String why = m.find() ? m.group(1).replace("\\\"", "\"") : text.strip();
        if (why.length() > 500) {
            why = why.substring(0, 500) + "...";
        }
        return new TrainerException(reply.status(), null, "trainer refused " + path + " (" + reply.status() + ")"
                + (why.isEmpty() ? "" : ": " + why));
    }

    private HttpRequest.Builder request(String path, String bearer) {
        return HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Authorization", bearer);
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Reply send(HttpRequest req) {
        HttpResponse<byte[]> res = call(req, HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(res.statusCode(), res.headers().firstValue("Content-Type").orElse(""), res.body());
    }

    private <T> HttpResponse<T> call(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (ConnectException e) {
            throw new TrainerException(502, null, "the trainer at " + base + " is unreachable (connection refused)");
        } catch (HttpTimeoutException e) {
            throw new TrainerException(504, null, "the trainer at " + base + " did not answer within " + timeout);
        } catch (IOException e) {
            throw new TrainerException(502, null, "the trainer at " + base + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainerException(503, null, "interrupted while calling the trainer");
        }
    }

    /** Stops a download that grows beyond the limit (a broken or hostile trainer cannot fill the disk). */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long left;
        private final long max;

        BoundedInputStream(InputStream in, long max) {
            super(in);
            this.left = max;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (left -= n) < 0) {
                throw new IOException("the artifact is larger than " + max + " bytes");
            }
            return n;
        }
    }
}
