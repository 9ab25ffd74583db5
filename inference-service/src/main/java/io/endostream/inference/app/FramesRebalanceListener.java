package io.endostream.inference.app;

import io.endostream.inference.config.InferenceConfig;
import io.endostream.inference.stream.PartitionProgress;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Map;

/**
 * The frames channel's rebalance listener ({@code consumer-rebalance-listener.name=frames-rebalance}): records
 * assignments (readiness) and, on revocation, waits for the revoked partitions' frames in flight (up to
 * {@code endostream.inference.stream.revoke-timeout}) and commits them before the partitions move. SmallRye's
 * throttled commit handler has already committed what was done when this runs; this commits the rest.
 */
@ApplicationScoped
@Identifier("frames-rebalance")
public class FramesRebalanceListener implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(FramesRebalanceListener.class);

    @Inject
    InferenceService service;

    @Inject
    InferenceConfig config;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        service.partitions().assigned(partitions);
        LOG.infof("frames partitions assigned: %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        try {
            PartitionProgress.Revoked revoked = service.partitions().revoke(partitions, config.stream().revokeTimeout());
            Map<TopicPartition, OffsetAndMetadata> done = revoked.commit();
            int left = revoked.stillInFlight();
            if (!done.isEmpty()) {
                consumer.commitSync(done);
            }
            LOG.infof("frames partitions revoked: %s, committed %s%s", partitions, done,
                    left > 0 ? " (" + left + " frames still in flight: the new owner reads them again)" : "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("committing revoked partitions %s failed: their last frames will be read again (%s)", partitions,
                    e.getMessage());
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        try {
            service.partitions().revoke(partitions, java.time.Duration.ZERO); // gone already: nothing to commit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
