package io.endostream.local.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.contracts.Json;
import io.endostream.contracts.Topics;
import io.endostream.local.cli.LocalCli;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator, briefly, against the relay floor on the real broker fixture, through the CLI as a user runs it.
 * Counts are asserted (every frame answered once, per stream), timings are not: they depend on the machine.
 */
class LoadGeneratorTest {

    @Test
    void drivesTheRelayAndAccountsForEveryFrame(@TempDir Path out) throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
            kafka.createTopics(3, Topics.FRAMES); // the relay topics are partitioned like the frame topic
            int exit = LocalCli.commandLine().execute("loadgen", "--bootstrap", kafka.bootstrapServers(),
                    "--targets", "relay", "--streams", "2", "--fps", "20", "--seconds", "1.5", "--warmup", "0.5",
                    "--grace", "20", "--repeats", "2", "--size", "96x64", "--distinct-frames", "4",
                    "--out", out.toString());
            assertEquals(0, exit);
        }
        JsonNode report = Json.mapper().readTree(out.resolve("report.json").toFile());
        assertEquals(2, report.path("phases").size(), "two repeats of the relay");
        for (JsonNode phase : report.path("phases")) {
            assertEquals("relay", phase.path("target").asText());
            assertEquals(60, phase.path("sent").asLong(), "2 streams x 20 fps x 1.5 s");
            assertEquals(60, phase.path("delivered").asLong(), "the relay answers every frame");
            assertEquals(0, phase.path("deadLetters").asLong());
            assertEquals(0, phase.path("unanswered").asLong());
            assertEquals(0, phase.path("duplicates").asLong());
            assertEquals(40, phase.path("latencySamples").asLong(), "warm-up frames are left out of the latencies");
            assertEquals(2, phase.path("perStream").size());
            long answeredBySecond = 0; // the timeline counts every answered frame, warm-up included, by send second
            for (var second : phase.path("timeline")) {
                answeredBySecond += second.path("answered").asLong();
            }
            assertEquals(60, answeredBySecond, phase.path("timeline").toString());
            for (JsonNode stream : phase.path("perStream")) {
                assertEquals(30, stream.path("delivered").asLong(), stream.toString());
            }
        }
        assertEquals(2, report.path("summary").path("relay").path("repeats").asInt());
        String markdown = Files.readString(out.resolve("report.md"));
        assertTrue(markdown.contains("| relay (median of 2) | 2 x 20 | 120 | 120 | 0 | 0 |"), markdown);
        byte[] png = Files.readAllBytes(out.resolve("latency.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }
}
