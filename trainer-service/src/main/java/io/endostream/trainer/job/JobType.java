package io.endostream.trainer.job;

import io.endostream.trainer.cli.EvaluateCommand;
import io.endostream.trainer.cli.ExportCommand;
import io.endostream.trainer.cli.FinetuneCommand;
import io.endostream.trainer.cli.PipelineCommand;
import io.endostream.trainer.cli.PretrainCommand;
import io.endostream.trainer.cli.RunnableCommand;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/** The kinds of job the API runs; each is the CLI subcommand of the same name, with the same options. */
public enum JobType {
    PRETRAIN(PretrainCommand::new),
    FINETUNE(FinetuneCommand::new),
    EVALUATE(EvaluateCommand::new),
    EXPORT(ExportCommand::new),
    /** pretrain + finetune + evaluate + export in one job ({@link PipelineCommand}). */
    PIPELINE(PipelineCommand::new);

    private final Supplier<RunnableCommand> factory;

    JobType(Supplier<RunnableCommand> factory) {
        this.factory = factory;
    }

    public RunnableCommand newCommand() {
        return factory.get();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobType parse(String s) {
        if (s == null || s.isBlank()) {
            throw new JobRequestException("type", "type is required: one of " + ids());
        }
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new JobRequestException("type", "type '" + s + "' is unknown: one of " + ids());
        }
    }

    private static String ids() {
        return Arrays.stream(values()).map(JobType::id).toList().toString();
    }
}
