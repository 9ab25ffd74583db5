package io.endostream.trainer.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The part every run-producing command shares: the {@code --run-dir} option, which the REST job API fills in
 * when a request leaves it out, and the check that it is set before any work starts.
 */
abstract class RunFolderCommand implements RunnableCommand {

    @Option(names = "--run-dir", description = "Run folder (created; required on the command line).")
    Path runDir;

    @Option(names = "--overwrite", description = "Delete what a non-empty --run-dir holds and start afresh.")
    boolean overwrite;

    @Override
    public Path runDir() {
        return runDir;
    }

    @Override
    public void defaultRunDir(Path dir) {
        if (runDir == null) {
            runDir = dir;
        }
    }

    /** The run folder, or an error naming the option when neither the command line nor the job API set it. */
    protected Path requireRunDir() {
        if (runDir == null) {
            throw new IllegalArgumentException("--run-dir is required");
        }
        return runDir;
    }

    /** {@link #requireRunDir()} plus the overwrite guard ({@link io.endostream.trainer.run.RunFolder#claim}). */
    protected Path prepareRunDir(boolean resume) {
        io.endostream.trainer.run.RunFolder.claim(requireRunDir(), resume, overwrite);
        return runDir;
    }
}
