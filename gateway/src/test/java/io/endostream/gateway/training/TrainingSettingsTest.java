package io.endostream.gateway.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training settings and failures without Quarkus: what an operator sees when something is set or reached wrong. */
class TrainingSettingsTest {

    record Settings(Optional<String> trainerUrl, Duration trainerTimeout, Optional<String> trainerJobTemplate,
                    long trainerMaxModelBytes) implements TrainingConfig {
    }

    @Test
    void unsetMeansTrainingIsNotConfiguredAndSaysWhichSettingToSet() {
        TrainingService service = new TrainingService();
        service.config = new Settings(Optional.empty(), Duration.ofSeconds(30), Optional.empty(), 1 << 30);
        service.json = new ObjectMapper();
        service.check();
        assertTrue(service.configured().isEmpty());
        TrainerException e = assertThrows(TrainerException.class, service::client);
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("endostream.gateway.trainer-url"), e.getMessage());
    }

    @Test
    void badSettingsAreNamed() {
        List<String> problems = TrainingService.problems(new Settings(Optional.of("ftp://trainer"),
                Duration.ZERO, Optional.of("[1,2]"), 0), new ObjectMapper());
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("endostream.gateway.trainer-url must be an http(s) base URL"), problems.get(0));
        assertTrue(problems.get(1).startsWith("endostream.gateway.trainer-timeout"), problems.get(1));
        assertTrue(problems.get(2).startsWith("endostream.gateway.trainer-max-model-bytes"), problems.get(2));
        assertTrue(problems.get(3).startsWith("endostream.gateway.trainer-job-template"), problems.get(3));
        assertTrue(TrainingService.problems(new Settings(Optional.of("http://127.0.0.1:8083/"), Duration.ofSeconds(1),
                Optional.of("{\"type\":\"pipeline\"}"), 1), new ObjectMapper()).isEmpty());
    }

    @Test
    void anUnreachableTrainerIs502NamingItsAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        TrainerClient client = new TrainerClient(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(5));
        TrainerException e = assertThrows(TrainerException.class, () -> client.get("/jobs", "Bearer x"));
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(400, assertThrows(TrainerException.class, () -> TrainerClient.jobId("../x")).status());
    }
}
