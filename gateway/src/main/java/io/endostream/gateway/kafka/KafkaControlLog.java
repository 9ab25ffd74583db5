package io.endostream.gateway.kafka;

import io.endostream.gateway.core.ControlLog;
import io.endostream.gateway.core.ControlWrite;
import io.endostream.gateway.core.FencedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The single writer of the control topics: a transactional producer with a fixed {@code transactional.id}. Starting
 * it ({@code initTransactions}) fences any older gateway with the same id: that one's next commit fails with
 * {@link FencedException} and it stops writing. Each {@link #commit} is one transaction.
 */
public final class KafkaControlLog implements ControlLog, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaControlLog.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String transactionalId;
    private volatile boolean fenced;

    public KafkaControlLog(String bootstrapServers, String transactionalId, Map<String, Object> extra) {
        this.transactionalId = transactionalId;
        Map<String, Object> config = new java.util.HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "endostream-gateway-writer");
        producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        LOG.infof("control-topic writer ready (transactional.id %s): any older gateway with this id is fenced",
                transactionalId);
    }

    @Override
    public synchronized void commit(List<ControlWrite> writes) {
        if (fenced) {
            throw fencedException(null);
        }
        try {
            producer.beginTransaction();
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (ControlWrite w : writes) {
                sent.add(producer.send(new ProducerRecord<>(w.topic(), w.key(), w.value())));
            }
            for (var f : sent) {
                f.get();
            }
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced = true;
            LOG.errorf("this gateway was fenced by a newer one with transactional.id %s: it stops writing", transactionalId);
            throw fencedException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProducerFencedException || e.getCause() instanceof InvalidProducerEpochException) {
                fenced = true;
                throw fencedException(e.getCause());
            }
            abort();
            throw new IllegalStateException("writing the control topics failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IllegalStateException("interrupted while writing the control topics", e);
        } catch (KafkaException e) {
            abort();
            throw new IllegalStateException("writing the control topics failed: " + e.getMessage(), e);
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced = true;
        } catch (RuntimeException e) {
            LOG.warnf("could not abort the control-topic transaction: %s", e.getMessage());
        }
    }

    private FencedException fencedException(Throwable cause) {
        return new FencedException("this gateway was fenced by a newer gateway with transactional.id " + transactionalId
                + ": it is read-only now", cause);
    }

    public boolean fenced() {
        return fenced;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
