package io.endostream.local.loadgen;

import io.endostream.local.kafka.EndoStreamTopics;
import io.endostream.local.stream.FrameProducers;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The floor: a plain Kafka relay (consumer to producer, no image work) with the same client settings as a service
 * (acks=all, linger 0, sized for 16 MiB frames). Whatever latency it shows, no service on this broker and machine can
 * beat. It runs on its own thread, in its own thread group, with its own clients and topics.
 */
public final class RelayFloor implements AutoCloseable {

    private static final ThreadGroup GROUP = new ThreadGroup("relay-floor");

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String outTopic;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /** Starts relaying every record that arrives on {@code inTopic} from now on to {@code outTopic}. */
    public RelayFloor(String bootstrap, String inTopic, String outTopic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "endostream-relay-floor");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = FrameProducers.create(bootstrap, "endostream-relay-floor");
        this.outTopic = outTopic;
        // assign every partition and start at the end: no group, no rebalance, nothing old is relayed
        List<TopicPartition> partitions = consumer.partitionsFor(inTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(inTopic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any frame is sent
        this.thread = new Thread(GROUP, this::relay, "relay-floor");
        thread.start();
    }

    private void relay() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(outTopic, null, null, r.key(), r.value(), r.headers()));
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The error that stopped the relay, if any. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join();
        consumer.close();
        producer.close();
    }
}
