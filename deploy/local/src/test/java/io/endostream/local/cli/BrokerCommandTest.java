package io.endostream.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.endostream.contracts.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code broker} command as users run it: its own JVM, stopped by a signal (as Ctrl-C does), restarted on the
 * same data directory with the records still there.
 */
class BrokerCommandTest {

    @Test
    void brokerServesStopsCleanlyAndKeepsItsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        String bootstrap = "localhost:" + port;

        Process first = startBroker(dataDir, port, controllerPort);
        try {
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "room-1", "frame-" + i)).get();
                }
            }
        } finally {
            stop(first);
        }
        assertTrue(Files.exists(dataDir.resolve("server.properties")));
        assertTrue(Files.exists(dataDir.resolve("logs").resolve("meta.properties")), "storage was formatted");

        Process second = startBroker(dataDir, port, controllerPort);
        try {
            assertEquals(List.of("frame-0", "frame-1", "frame-2"), readAll(bootstrap, 3));
        } finally {
            stop(second);
        }
    }

    private static Process startBroker(Path dataDir, int port, int controllerPort) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                LocalCli.class.getName(), "broker", "--data-dir", dataDir.toString(), "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort), "--partitions", "2");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        CountDownLatch ready = new CountDownLatch(1);
        // One thread owns the reader for the process's whole life: it records the output, signals readiness and
        // keeps draining so the broker never blocks on a full pipe. Nobody else touches (or closes) the reader.
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("Kafka broker ready")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "broker-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ready.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive()) {
                reader.join(5_000);
                fail("broker exited with " + process.exitValue() + " before it was ready:\n" + snapshot(output));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                fail("broker not ready within 120 s:\n" + snapshot(output));
            }
        }
        return process;
    }

    private static String snapshot(StringBuilder output) {
        synchronized (output) {
            return output.toString();
        }
    }

    /** SIGTERM, like Ctrl-C, runs the shutdown hook: a clean stop. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("broker did not stop within 60 s of SIGTERM");
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String bootstrap, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.FRAMES));
            long deadline = System.currentTimeMillis() + 60_000;
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
