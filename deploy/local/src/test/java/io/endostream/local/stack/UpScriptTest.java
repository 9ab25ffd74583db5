package io.endostream.local.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** up.sh's checks that come before any build or start (the rest is tried by hand: see the README). */
class UpScriptTest {

    @Test
    void aPortInUseStopsItBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path data = dir.resolve("data");
            Process up = new ProcessBuilder("bash", "up.sh", "--port", String.valueOf(busy.getLocalPort()),
                    "--data-dir", data.toString()).redirectErrorStream(true).start();
            up.getOutputStream().close();
            String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "up.sh must not wait for a broker that cannot start");
            assertEquals(2, up.exitValue(), output);
            assertTrue(output.contains("port " + busy.getLocalPort() + " is already in use"), output);
            assertFalse(Files.exists(data), "nothing was started or written");
        }
    }

    @Test
    void aBusyGatewayOrTrainerPortIsNamedToo(@TempDir Path dir) throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int freePort = free.getLocalPort();
            free.close(); // a port nothing listens on (for the broker), so the gateway's is the first clash
            for (String option : new String[] {"--gateway-port", "--trainer-port"}) {
                Path data = dir.resolve("data" + option);
                String busyPort = String.valueOf(busy.getLocalPort());
                String other = String.valueOf(freePort);
                Process up = new ProcessBuilder("bash", "up.sh", "--port", other, "--http-port", other,
                        "--gateway-port", option.equals("--gateway-port") ? busyPort : other,
                        "--trainer-port", option.equals("--trainer-port") ? busyPort : other,
                        "--data-dir", data.toString()).redirectErrorStream(true).start();
                up.getOutputStream().close();
                String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(up.waitFor(60, TimeUnit.SECONDS));
                assertEquals(2, up.exitValue(), output);
                assertTrue(output.contains("port " + busy.getLocalPort() + " is already in use"), output);
                assertFalse(Files.exists(data), "nothing was started or written");
            }
        }
    }

    @Test
    void theDefaultDataDirIsOutsideTheBuild() throws Exception {
        Process help = new ProcessBuilder("bash", "up.sh", "--help").redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue(), output);
        assertTrue(output.contains("~/.endostream}/local"), output);
        for (String option : new String[] {"--port", "--http-port", "--gateway-port", "--trainer-port", "--no-trainer"}) {
            assertTrue(output.contains(option), "--help names " + option + ": " + output);
        }
        String script = Files.readString(Path.of("up.sh"));
        assertFalse(script.contains("target/local-data"), "data must survive mvn clean");
    }
}
