package io.endostream.trainer.job;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses a job's options with the CLI's picocli command and confines every path option to the roots. The path
 * options are found from picocli's model (type {@code Path} or a list of them), so an option a command gains later is
 * confined without a change here; only the options that name a folder a job <em>writes</em> are listed.
 */
final class JobOptions {
    /** Options naming a folder the job writes into: only below the run root. Every other path is read-only. */
    static final Set<String> OUTPUT_OPTIONS = Set.of("--run-dir", "--out");

    private JobOptions() {
    }

    /** Parses {@code args} into {@code command}; a refusal names the request field ({@code options.<name>}). */
    static CommandLine parse(JobType type, Object command, List<String> args) {
        CommandLine cl = new CommandLine(command);
        // "@file" arguments would make picocli read that file and echo its content in the error message
        cl.setExpandAtFiles(false);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new JobRequestException(field(e), type.id() + ": " + e.getMessage());
        }
        return cl;
    }

    /** Replaces every path option's value by its confined real path (see {@link PathConfinement}). */
    @SuppressWarnings("unchecked")
    static void confine(CommandLine parsed, PathConfinement confinement) {
        for (OptionSpec o : parsed.getCommandSpec().options()) {
            boolean output = OUTPUT_OPTIONS.contains(o.longestName());
            String field = field(o);
            if (o.type() == Path.class) {
                Path v = o.getValue();
                if (v != null) {
                    o.setValue(confine(confinement, output, field, v));
                }
            } else if (List.class.isAssignableFrom(o.type()) && o.auxiliaryTypes().length == 1
                    && o.auxiliaryTypes()[0] == Path.class) {
                List<Path> v = o.getValue();
                if (v != null) {
                    List<Path> confined = new ArrayList<>();
                    for (Path p : v) {
                        confined.add(confine(confinement, output, field, p));
                    }
                    o.setValue(confined);
                }
            }
        }
    }

    /** Names of the path options of a job type: what {@link #confine} checks (for tests and docs). */
    static List<String> pathOptions(JobType type) {
        return new CommandLine(type.newCommand()).getCommandSpec().options().stream()
                .filter(o -> o.type() == Path.class || List.class.isAssignableFrom(o.type())
                        && o.auxiliaryTypes().length == 1 && o.auxiliaryTypes()[0] == Path.class)
                .map(OptionSpec::longestName).sorted().toList();
    }

    private static Path confine(PathConfinement confinement, boolean output, String field, Path value) {
        return output ? confinement.writable(field, value.toString()) : confinement.readable(field, value.toString());
    }

    static String field(OptionSpec o) {
        return "options." + o.longestName().replaceFirst("^-+", "");
    }

    private static String field(CommandLine.ParameterException e) {
        ArgSpec spec = e.getArgSpec();
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            spec = m.getMissing().get(0);
        }
        if (spec instanceof OptionSpec o) {
            return field(o);
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return "options." + u.getUnmatched().get(0).replaceFirst("^-+", "").replaceFirst("=.*", "");
        }
        return "options";
    }
}
