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
    void theDefaultDataDirIsOutsideTheBuild() throws Exception {
        Process help = new ProcessBuilder("bash", "up.sh", "--help").redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue(), output);
        assertTrue(output.contains("~/.endostream}/local"), output);
        String script = Files.readString(Path.of("up.sh"));
        assertFalse(script.contains("target/local-data"), "data must survive mvn clean");
    }
}
