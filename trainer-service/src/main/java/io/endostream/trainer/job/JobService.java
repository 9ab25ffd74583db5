package io.endostream.trainer.job;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Wires the plain-Java {@link JobManager} into Quarkus, checking the settings at start-up. */
@ApplicationScoped
public class JobService {
    private static final Logger LOG = Logger.getLogger(JobService.class);

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> publicKeyLocation;

    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> publicKey;

    @Produces
    @Singleton
    JobManager jobManager(TrainerConfig config) {
        List<String> problems = problems(config, publicKeyLocation, publicKey);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
        PathConfinement confinement = new PathConfinement(config.dataRoots(), config.runRoot());
        LOG.infof("job paths confined: reads under %s and %s, runs written below %s", confinement.dataRoots(),
                confinement.runRoot(), confinement.runRoot());
        return new JobManager(confinement, config.keepFinishedJobs());
    }

    /**
     * Every problem of the settings, each naming its setting. Creates the run root when missing (it is where the
     * trainer writes); data roots must exist already.
     */
    static List<String> problems(TrainerConfig config, Optional<String> publicKeyLocation, Optional<String> publicKey) {
        List<String> problems = new ArrayList<>();
        if (config.keepFinishedJobs() < 1) {
            problems.add("endostream.trainer.keep-finished-jobs must be >= 1, was " + config.keepFinishedJobs());
        }
        try {
            Files.createDirectories(config.runRoot());
        } catch (IOException | RuntimeException e) {
            problems.add("endostream.trainer.run-root " + config.runRoot().toAbsolutePath() + " cannot be created: "
                    + e.getMessage());
        }
        problems.addAll(PathConfinement.problems(config.dataRoots(), config.runRoot()));
        if (publicKeyLocation.filter(s -> !s.isBlank()).isEmpty() && publicKey.filter(s -> !s.isBlank()).isEmpty()) {
            problems.add("mp.jwt.verify.publickey.location must be set: the public key (PEM) that verifies the JWT "
                    + "bearer tokens of API callers (the gateway's key, so one key pair serves both)");
        }
        return problems;
    }

    void onStart(@Observes StartupEvent event, JobManager manager) {
        // instantiate eagerly so a bad setting stops start-up instead of the first request
    }

    void onStop(@Observes ShutdownEvent event, JobManager manager) {
        manager.close();
    }
}
