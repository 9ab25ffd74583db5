package io.endostream.local.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.Topics;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack's broker (in this JVM): loopback only by default, data topics trimmed, a busy port fails at once. */
class KraftBrokerTest {

    @TempDir
    static Path dir;
    private static KraftBroker broker;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        port = freePort();
        broker = KraftBroker.start(new KraftBroker.Settings(dir.resolve("kafka"), KraftBroker.LOOPBACK, port,
                freePort(), 2));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void listensOnLoopbackOnlyAndAdvertisesIt() throws Exception {
        try (Socket local = new Socket()) {
            local.connect(new InetSocketAddress(KraftBroker.LOOPBACK, port), 5000); // serves here
        }
        assertEquals(KraftBroker.LOOPBACK + ":" + port, broker.bootstrapServers());
        Optional<InetAddress> external = nonLoopbackAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        try (Socket remote = new Socket()) {
            assertThrows(IOException.class, () -> remote.connect(new InetSocketAddress(external.get(), port), 5000),
                    "the broker must not accept connections on " + external.get());
        }
    }

    @Test
    void dataTopicsAreTrimmedByTimeAndSize() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, Topics.FRAMES);
            ConfigResource masks = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MASKS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(frames, masks)).all()
                    .get(30, TimeUnit.SECONDS);
            for (Config config : configs.values()) {
                assertEquals(String.valueOf(KraftBroker.DEFAULT_RETENTION_MINUTES * 60_000),
                        config.get("retention.ms").value());
                assertEquals(String.valueOf(KraftBroker.DEFAULT_RETENTION_MB * 1024 * 1024),
                        config.get("retention.bytes").value());
                assertTrue(Long.parseLong(config.get("segment.bytes").value())
                        < KraftBroker.DEFAULT_RETENTION_MB * 1024 * 1024, "segments smaller than the size limit");
            }
        }
    }

    @Test
    void aBusyPortFailsAtOnceNamingThePort() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KraftBroker.start(
                new KraftBroker.Settings(dir.resolve("second"), KraftBroker.LOOPBACK, port, freePort(), 1)));
        assertTrue(e.getMessage().contains("port " + port), e.getMessage());
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
