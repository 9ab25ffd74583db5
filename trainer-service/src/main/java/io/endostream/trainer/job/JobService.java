package io.endostream.trainer.job;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.file.Files;

/** Wires the plain-Java {@link JobManager} into Quarkus, checking the settings at start-up. */
@ApplicationScoped
public class JobService {

    @Produces
    @Singleton
    JobManager jobManager(TrainerConfig config) {
        if (config.keepFinishedJobs() < 1) {
            throw new IllegalStateException("trainer.keep-finished-jobs must be >= 1, was " + config.keepFinishedJobs());
        }
        try {
            Files.createDirectories(config.runsDir());
        } catch (IOException e) {
            throw new IllegalStateException("trainer.runs-dir " + config.runsDir() + " cannot be created: " + e.getMessage(), e);
        }
        return new JobManager(config.runsDir(), config.keepFinishedJobs());
    }

    void onStart(@Observes StartupEvent event, JobManager manager) {
        // instantiate eagerly so a bad setting stops start-up instead of the first request
    }

    void onStop(@Observes ShutdownEvent event, JobManager manager) {
        manager.close();
    }
}
