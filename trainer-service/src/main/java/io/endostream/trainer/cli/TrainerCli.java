package io.endostream.trainer.cli;

import io.endostream.trainer.dataset.DatasetException;
import io.endostream.trainer.run.RunCancelledException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;

/** Command line of the trainer: {@code pretrain}, {@code finetune}, {@code evaluate}, {@code export}, {@code pipeline}, {@code publish}, {@code study}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "EndoStream trainer 0.1.0",
        description = "Pretrain, fine-tune, evaluate, export and publish the MobileNetV2 U-Net polyp segmenter.",
        subcommands = {PretrainCommand.class, FinetuneCommand.class, EvaluateCommand.class, ExportCommand.class,
                PipelineCommand.class,
                PublishCommand.class, StudyCommand.class, CommandLine.HelpCommand.class})
public class TrainerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new TrainerCli());
        // expected failures (bad files, bad options) print one line naming the culprit, not a stack trace
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof DatasetException || e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                    || e instanceof RunCancelledException || e instanceof io.endostream.trainer.export.ExportParityException
                    || e instanceof io.endostream.contracts.model.InvalidManifestException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
