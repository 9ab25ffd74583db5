package io.endostream.trainer.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;

/**
 * Settings of the trainer's job API (prefix {@code endostream.trainer}). Every path a job request names is confined
 * to these roots ({@link PathConfinement}); the JWT public key is the MicroProfile setting
 * {@code mp.jwt.verify.publickey.location}, the same one the gateway reads, so one key pair serves a local stack.
 */
@ConfigMapping(prefix = "endostream.trainer")
public interface TrainerConfig {

    /**
     * Folders jobs may read from (datasets, unlabelled frames, test lists), comma-separated. Each must exist and be a
     * readable folder, else start-up fails naming this setting. A relative path in a request is looked up under
     * each root in turn. Default {@code data} (relative to the working directory).
     */
    @WithDefault("data")
    List<Path> dataRoots();

    /**
     * The only folder jobs write under: every run folder ({@code run-dir}, {@code out}) must lie strictly below it,
     * and a job without one writes into {@code <run-root>/<job id>}. Jobs may also read from it (checkpoints,
     * evaluations of earlier jobs). Created at start-up when missing; start-up fails naming this setting when it
     * cannot be created or written. Default {@code runs}.
     */
    @WithDefault("runs")
    Path runRoot();

    /** How many finished jobs {@code GET /jobs} keeps listing (>= 1). Default {@code 100}. */
    @WithDefault("100")
    int keepFinishedJobs();

    /**
     * Issuer the bearer tokens must carry ({@code mp.jwt.verify.issuer} follows it). Default {@code endostream},
     * the gateway's default, so tokens the gateway accepts are accepted here.
     */
    @WithDefault("endostream")
    String jwtIssuer();
}
