package io.endostream.inference.app;

import io.endostream.contracts.WireRecord;
import io.endostream.inference.stream.OutcomePublisher;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Publishes outcomes through SmallRye emitters (channels {@code masks} and {@code dead-letters}). The Kafka
 * connector acknowledges an emitted message only when the broker has it, which completes the returned stage.
 */
@ApplicationScoped
public class SmallRyeOutcomePublisher implements OutcomePublisher {

    @Inject
    @Channel("masks")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<byte[]> masks;

    @Inject
    @Channel("dead-letters")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<byte[]> deadLetters;

    @Override
    public CompletionStage<Void> publishMask(WireRecord mask) {
        return send(masks, mask);
    }

    @Override
    public CompletionStage<Void> publishDeadLetter(WireRecord deadLetter) {
        return send(deadLetters, deadLetter);
    }

    /** One record through a SmallRye emitter, completed when Kafka acknowledges it (also the shadow publisher's). */
    static CompletionStage<Void> send(Emitter<byte[]> emitter, WireRecord record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        List<RecordHeader> headers = new ArrayList<>(record.headers().size());
        record.headers().forEach((name, value) -> headers.add(new RecordHeader(name, value)));
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(record.key()).withHeaders(headers).build();
        emitter.send(Message.of(record.value(), Metadata.of(metadata), () -> {
            acked.complete(null);
            return CompletableFuture.completedFuture(null);
        }, error -> {
            acked.completeExceptionally(error);
            return CompletableFuture.completedFuture(null);
        }));
        return acked;
    }
}
