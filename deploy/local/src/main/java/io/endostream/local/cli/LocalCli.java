package io.endostream.local.cli;

import io.endostream.local.audit.AuditCommand;
import io.endostream.local.fuzz.FuzzCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * EndoStream's local toolbox: a KRaft broker for the local stack, the endoscope simulator (datasets and live
 * streams), a video/image-folder publisher and the sample grid. Run {@code --help} on any command for its options.
 */
@Command(name = "endostream-local",
        mixinStandardHelpOptions = true,
        version = "EndoStream local 0.1.0",
        description = {"EndoStream's local stack: a Kafka broker, simulated endoscopy video, and recorded-video replay.",
            "Frames go to Kafka as JPEG with CloudEvents headers (contracts' FrameCodec), keyed by stream id."},
        subcommands = {BrokerCommand.class, SimulateCommand.class, PublishCommand.class, GridCommand.class,
            LoadgenCommand.class, AuditCommand.class, FuzzCommand.class, CommandLine.HelpCommand.class})
public final class LocalCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line with EndoStream's error handling: a bad value or a failure prints one clear line. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LocalCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        // Kafka logs through slf4j-simple (named, as Quarkus' provider may share the classpath): warnings and errors
        // only unless asked otherwise.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }
}
