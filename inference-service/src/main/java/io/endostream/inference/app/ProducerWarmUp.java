package io.endostream.inference.app;

import io.endostream.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;

/**
 * Warms the mask and dead-letter producers before the instance reports ready: each fetches its topic's metadata on
 * its sending thread, which opens the connection to the leaders. Otherwise the first mask pays for the metadata
 * round trip (the producer blocks in send() until it knows the partitions). Started by the first readiness probe;
 * a failure is retried on the next one.
 */
@ApplicationScoped
public class ProducerWarmUp {

    private static final Logger LOG = Logger.getLogger(ProducerWarmUp.class);

    @Inject
    KafkaClientService clients;

    @ConfigProperty(name = "mp.messaging.outgoing.masks.topic", defaultValue = Topics.MASKS)
    String masksTopic;

    @ConfigProperty(name = "mp.messaging.outgoing.dead-letters.topic", defaultValue = Topics.FRAMES_DLQ)
    String deadLettersTopic;

    private CompletableFuture<Void> warming;

    /** True once both producers know their topic's partitions; the first call starts the warm-up. */
    public synchronized boolean warm() {
        if (warming == null || warming.isCompletedExceptionally()) {
            warming = start();
        }
        return warming.isDone() && !warming.isCompletedExceptionally();
    }

    private CompletableFuture<Void> start() {
        KafkaProducer<Object, Object> masks = clients.getProducer("masks");
        KafkaProducer<Object, Object> deadLetters = clients.getProducer("dead-letters");
        if (masks == null || deadLetters == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("producers not created yet"));
        }
        long start = System.nanoTime();
        return CompletableFuture.allOf(
                masks.partitionsFor(masksTopic).subscribeAsCompletionStage(),
                deadLetters.partitionsFor(deadLettersTopic).subscribeAsCompletionStage())
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        LOG.infof("producers warmed up (%s, %s metadata) in %d ms", masksTopic, deadLettersTopic,
                                (System.nanoTime() - start) / 1_000_000);
                    } else {
                        LOG.warnf("producer warm-up failed, retried on the next readiness probe: %s", error.toString());
                    }
                });
    }
}
