package io.endostream.trainer.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** Settings of the trainer service (prefix {@code trainer}). */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {

    /** Folder that holds a run folder per job submitted without its own run-dir. Default {@code runs}. */
    @WithDefault("runs")
    Path runsDir();

    /** How many finished jobs {@code GET /jobs} keeps listing (>= 1). Default {@code 100}. */
    @WithDefault("100")
    int keepFinishedJobs();
}
