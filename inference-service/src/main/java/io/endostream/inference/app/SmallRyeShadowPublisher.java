package io.endostream.inference.app;

import io.endostream.contracts.WireRecord;
import io.endostream.inference.shadow.ShadowPublisher;
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
 * Publishes shadow masks through the SmallRye channel {@code shadow-masks} (topic {@code endoscopy.masks.shadow} by
 * default): a producer of its own, apart from the primary masks' one. A full emitter buffer fails the send at once
 * (counted by the shadow path), it never waits.
 */
@ApplicationScoped
public class SmallRyeShadowPublisher implements ShadowPublisher {

    @Inject
    @Channel("shadow-masks")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 64)
    Emitter<byte[]> shadowMasks;

    @Override
    public CompletionStage<Void> publishShadowMask(WireRecord record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        List<RecordHeader> headers = new ArrayList<>(record.headers().size());
        record.headers().forEach((name, value) -> headers.add(new RecordHeader(name, value)));
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(record.key()).withHeaders(headers).build();
        shadowMasks.send(Message.of(record.value(), Metadata.of(metadata), () -> {
            acked.complete(null);
            return CompletableFuture.completedFuture(null);
        }, error -> {
            acked.completeExceptionally(error);
            return CompletableFuture.completedFuture(null);
        }));
        return acked;
    }
}
