package io.endostream.inference.app;

import io.endostream.contracts.WireRecord;
import io.endostream.inference.stream.IncomingFrame;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Channel {@code frames} (topic {@code endoscopy.frames}) into the pipeline. The message is acknowledged only
 * when its mask or dead letter is on the broker (or it was skipped as stale); with the throttled commit strategy
 * SmallRye then commits the highest offset below which everything is acknowledged. The returned stage completes
 * as soon as the pipeline has room, so frames of many streams are in flight at once.
 */
@ApplicationScoped
public class FrameIngress {

    @Inject
    InferenceService service;

    @Incoming("frames")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        long received = System.nanoTime();
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<byte[], byte[]> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("frames channel must be a Kafka channel"));
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Header h : meta.getHeaders()) {
            headers.put(h.key(), h.value());
        }
        WireRecord record = new WireRecord(meta.getKey(), message.getPayload(), headers);
        String topic = meta.getTopic();
        int partition = meta.getPartition();
        long offset = meta.getOffset();
        service.partitions().received(topic, partition, offset); // for the revocation drain
        return service.pipeline().submit(new IncomingFrame(record, topic, partition, offset,
                meta.getTimestamp().toEpochMilli(), received, new IncomingFrame.Acknowledgement() {
            @Override
            public void ack() {
                service.partitions().acknowledged(topic, partition, offset);
                message.ack();
            }

            @Override
            public void nack(Throwable cause) {
                message.nack(cause);
            }
        }));
    }
}
