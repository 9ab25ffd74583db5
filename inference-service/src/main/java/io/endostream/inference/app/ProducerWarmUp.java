package io.endostream.inference.app;

import io.endostream.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;

/**
 * Warms the mask and dead-letter producers at start-up, while the frames consumer joins its group: each fetches its
 * topic's metadata on its sending thread, which opens the connection to the leaders. Otherwise the first mask pays
 * for the metadata round trip (the producer blocks in send() until it knows the partitions). When the producers do
 * not exist yet at start-up, or the fetch failed, the next readiness probe starts it again (readiness reports
 * {@code producersWarm}).
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

    void onStart(@Observes StartupEvent event) {
        warm();
    }

    /** True once both producers know their topic's partitions; the first call starts the warm-up. */
    public synchronized boolean warm() {
        if (warming == null || warming.isCompletedExceptionally()) {
            try {
                warming = start();
            } catch (RuntimeException e) { // a warm-up must never take readiness down with it
                warming = CompletableFuture.failedFuture(e);
            }
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
