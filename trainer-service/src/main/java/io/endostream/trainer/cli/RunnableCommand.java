package io.endostream.trainer.cli;

import io.endostream.trainer.run.ProgressListener;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A subcommand whose work can run outside the console: the CLI passes a progress bar, the REST job API its own
 * listener and cancel flag. Options are parsed by picocli in both cases, so defaults and checks are the same.
 */
public interface RunnableCommand {

    /** Runs the command; returns a JSON-friendly summary (paths, headline figures). */
    Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled);

    /** The run folder this command writes into (null if it has none). */
    java.nio.file.Path runDir();

    /** Lets the job API choose the run folder when the request does not. */
    void defaultRunDir(java.nio.file.Path dir);
}
