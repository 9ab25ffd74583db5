package io.endostream.contracts.golden;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Python reader ({@code golden/check.py}, standard library only) agrees with every golden vector. */
class GoldenPythonCheckTest {

    @Test
    void pythonReaderPassesEveryVector() throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("python3", "golden/check.py").redirectErrorStream(true).start();
        } catch (IOException noPython) {
            Assumptions.abort("python3 is not installed: " + noPython.getMessage());
            return;
        }
        // read to the end on this thread only (no second reader), then wait
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains(" 0 failed"), output);
    }
}
