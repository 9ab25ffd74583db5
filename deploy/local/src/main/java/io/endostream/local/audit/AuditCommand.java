package io.endostream.local.audit;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.endostream.contracts.Json;
import io.endostream.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Accounts for every frame published in a time window: each must have a mask or a dead letter. "
            + "Prints frames, masks, dead letters, unaccounted frames, duplicates, masks out of frame order and the "
            + "longest gap between two masks of a stream. Exit code 3 when a frame is unaccounted or out of order.",
            "Skips (real-time mode's stale frames) are counted by the service only: run lossless, or compare "
                + "'unaccounted' with endostream_frames_skipped_total."})
public final class AuditCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--since", required = true, paramLabel = "EPOCH_MS|ISO",
            description = "Start of the window: frames with a record timestamp at or after this.")
    String since;

    @Option(names = "--until", paramLabel = "EPOCH_MS|ISO", description = "End of the window (default: now).")
    String until;

    @Option(names = "--settle", defaultValue = "15", paramLabel = "SECONDS",
            description = "Stop waiting for outcomes after this long without a new one (default: ${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--frames-topic", defaultValue = Topics.FRAMES, description = "default: ${DEFAULT-VALUE}")
    String framesTopic;

    @Option(names = "--masks-topic", defaultValue = Topics.MASKS, description = "default: ${DEFAULT-VALUE}")
    String masksTopic;

    @Option(names = "--dlq-topic", defaultValue = Topics.FRAMES_DLQ, description = "default: ${DEFAULT-VALUE}")
    String dlqTopic;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        long from = parseTime(since, "--since");
        long to = until == null ? System.currentTimeMillis() : parseTime(until, "--until");
        FrameAudit.Report report = new FrameAudit(bootstrap, framesTopic, masksTopic, dlqTopic)
                .audit(from, to, Duration.ofSeconds(settleSeconds));
        System.out.printf("frames %d | masked %d | dead-lettered %d | unaccounted %d | duplicate masks %d | "
                        + "duplicate dead letters %d | masked and dead-lettered %d | out of order %d | longest gap %d ms%n",
                report.frames(), report.masked(), report.deadLettered(), report.unaccounted(), report.duplicateMasks(),
                report.duplicateDeadLetters(), report.maskedAndDeadLettered(), report.outOfOrder(),
                report.longestGapMs());
        if (report.ambiguousFrameIds() > 0) {
            System.out.println("warning: " + report.ambiguousFrameIds() + " frame ids repeat inside the window");
        }
        report.examples().forEach(e -> System.out.println("  " + e));
        if (json != null) {
            Files.writeString(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report));
        }
        return report.everyFrameAccounted() && report.outOfOrder() == 0 ? 0 : 3;
    }

    static long parseTime(String text, String option) {
        try {
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + " must be epoch milliseconds or an ISO-8601 instant, was '"
                    + text + "'");
        }
    }
}
