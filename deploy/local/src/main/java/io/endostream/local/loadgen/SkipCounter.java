package io.endostream.local.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The service's own count of skipped frames (stale-frame policy), read from its Prometheus endpoint before and after a
 * phase: a skip is invisible from the client's side (no mask, no dead letter), only the service knows it happened.
 */
interface SkipCounter {

    /** The counter's current total, or null when unknown. */
    Double read();

    /** No counter: skips show up only as frames without an answer. */
    SkipCounter NONE = () -> null;

    /** Sums every {@code endostream_frames_skipped_total} sample of a Prometheus text endpoint. */
    static SkipCounter prometheus(String url) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        return () -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return null;
                }
                double total = 0;
                for (String line : response.body().split("\n")) {
                    if (line.startsWith("endostream_frames_skipped_total")) {
                        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                return total;
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        };
    }
}
