package io.endostream.trainer.job;

import java.util.List;
import java.util.Map;

/**
 * What the API shows of a job.
 *
 * @param runDir      the job's run folder (confined below the run root), or for export its output folder
 * @param submittedBy the principal that submitted it (JWT name), or null
 * @param progress latest progress: phase, done/total, fraction, elapsed and ETA seconds, metrics, message
 * @param result   the command's summary once it succeeded (paths, headline figures)
 * @param error    why it failed or was cancelled
 */
public record JobView(String id, String type, JobStatus status, List<String> args, String runDir, String submittedBy,
                      String submittedAt,
                      String startedAt, String finishedAt, Map<String, Object> progress, Map<String, Object> result,
                      String error) {
}
