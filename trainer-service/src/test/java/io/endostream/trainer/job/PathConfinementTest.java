package io.endostream.trainer.job;

import io.endostream.trainer.cli.RunnableCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way out of the roots is refused with the request field named; paths inside resolve to their real path. */
class PathConfinementTest {

    @TempDir
    Path tmp;
    Path data;
    Path data2;
    Path runs;
    Path outside;
    PathConfinement roots;

    @BeforeEach
    void roots() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        data2 = Files.createDirectories(tmp.resolve("more-data"));
        runs = Files.createDirectories(tmp.resolve("runs"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(data.resolve("kvasir/images"));
        Files.createDirectories(data2.resolve("videos"));
        Files.createDirectories(runs.resolve("job1/checkpoints"));
        Files.writeString(runs.resolve("job1/checkpoints/best.zip"), "x");
        roots = new PathConfinement(List.of(data, data2), runs);
    }

    @Test
    void pathsInsideTheRootsResolveToTheirRealPath() throws Exception {
        assertEquals(data.toRealPath().resolve("kvasir"), roots.readable("options.dataset", "kvasir"));
        assertEquals(data2.toRealPath().resolve("videos"), roots.readable("options.unlabelled", "videos"),
                "a relative path is looked up under each root in turn");
        assertEquals(runs.toRealPath().resolve("job1/checkpoints/best.zip"),
                roots.readable("options.checkpoint", "job1/checkpoints/best.zip"), "earlier runs are readable");
        assertEquals(data.toRealPath().resolve("kvasir"), roots.readable("options.dataset", data + "/kvasir/images/.."));
        assertEquals(runs.toRealPath().resolve("new/run"), roots.writable("options.run-dir", "new/run"));
        assertEquals(runs.toRealPath().resolve("abs"), roots.writable("options.run-dir", runs + "/abs"));
        // a link inside a root to another root stays confined
        Files.createSymbolicLink(data.resolve("link-to-videos"), data2.resolve("videos"));
        assertEquals(data2.toRealPath().resolve("videos"), roots.readable("options.unlabelled", "link-to-videos"));
    }

    @Test
    void absolutePathsElsewhereAreRefused() {
        refusedRead("options.dataset", outside.toString());
        refusedRead("options.test-list", "/etc/passwd");
        refusedWrite("options.run-dir", outside.resolve("run").toString());
        // a data root is readable, not writable
        refusedWrite("options.out", data.resolve("export").toString());
    }

    @Test
    void dotDotEscapesAreRefused() {
        refusedRead("options.dataset", "../outside");
        refusedRead("options.dataset", data + "/kvasir/../../outside");
        refusedWrite("options.run-dir", "../outside/run");
        refusedWrite("options.run-dir", "a/../../escaped");
    }

    @Test
    void theRunRootItselfIsNotARunFolder() {
        // --overwrite would empty it: every other run would go
        refusedWrite("options.run-dir", runs.toString());
        refusedWrite("options.run-dir", ".");
        refusedWrite("options.run-dir", "job1/..");
    }

    @Test
    void symbolicLinksOutOfARootAreRefused() throws Exception {
        Files.writeString(outside.resolve("secret.txt"), "x");
        Files.createSymbolicLink(data.resolve("escape"), outside);
        Files.createSymbolicLink(runs.resolve("escape"), outside);
        refusedRead("options.dataset", "escape");
        refusedRead("options.test-list", "escape/secret.txt");
        refusedRead("options.exclude-dataset", data.resolve("escape").toString());
        // a link to a folder that does not exist yet is refused too: creating through it would write outside
        refusedWrite("options.run-dir", "escape/new-run");
        Files.createSymbolicLink(runs.resolve("dangling"), outside.resolve("not-yet"));
        refusedWrite("options.run-dir", "dangling");
        refusedWrite("options.run-dir", "dangling/below");
    }

    @Test
    void everyPathOptionOfEveryJobTypeIsConfined() throws Exception {
        Files.createSymbolicLink(data.resolve("escape"), outside);
        Files.createSymbolicLink(runs.resolve("escape"), outside);
        // one request per path option, with only that option pointing outside: each refusal names it
        Map<JobType, List<String>> required = Map.of(
                JobType.PRETRAIN, List.of("--unlabelled", "frames"),
                JobType.FINETUNE, List.of("--dataset", "kvasir"),
                JobType.EVALUATE, List.of("--checkpoint", "job1/checkpoints/best.zip", "--dataset", "kvasir"),
                JobType.EXPORT, List.of("--checkpoint", "job1/checkpoints/best.zip", "--model-version", "1"),
                JobType.PIPELINE, List.of("--dataset", "kvasir"));
        int checked = 0;
        for (JobType type : JobType.values()) {
            for (String option : JobOptions.pathOptions(type)) {
                List<String> args = new ArrayList<>(required.get(type));
                int at = args.indexOf(option);
                if (at >= 0) {
                    args.set(at + 1, "escape/x");
                } else {
                    args.addAll(List.of(option, "escape/x"));
                }
                RunnableCommand command = type.newCommand();
                CommandLine parsed = JobOptions.parse(type, command, args);
                JobRequestException e = assertThrows(JobRequestException.class,
                        () -> JobOptions.confine(parsed, roots), type + " " + option);
                assertEquals("options." + option.substring(2), e.field(), e.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= 14, "path options checked: " + checked);
    }

    @Test
    void theWrittenFoldersAreTheKnownOnesAndEveryOtherPathIsOnlyRead() {
        // a new path option that names a folder a job writes must be added to JobOptions.OUTPUT_OPTIONS: this list
        // fails until it is looked at
        assertEquals(List.of("--exclude-dataset", "--init", "--run-dir", "--test-list", "--unlabelled"),
                JobOptions.pathOptions(JobType.PRETRAIN));
        assertEquals(List.of("--dataset", "--pretrained", "--run-dir", "--test-list"),
                JobOptions.pathOptions(JobType.FINETUNE));
        assertEquals(List.of("--checkpoint", "--dataset", "--run-dir", "--test-list"),
                JobOptions.pathOptions(JobType.EVALUATE));
        assertEquals(List.of("--checkpoint", "--evaluation", "--out"), JobOptions.pathOptions(JobType.EXPORT));
        assertEquals(List.of("--dataset", "--run-dir", "--test-list", "--unlabelled"),
                JobOptions.pathOptions(JobType.PIPELINE));
    }

    @Test
    void confinedValuesReplaceWhatTheRequestSaid() throws Exception {
        RunnableCommand command = JobType.FINETUNE.newCommand();
        CommandLine parsed = JobOptions.parse(JobType.FINETUNE, command, List.of("--dataset", "kvasir",
                "--pretrained", "job1/checkpoints/best.zip", "--run-dir", "mine"));
        JobOptions.confine(parsed, roots);
        assertEquals(runs.toRealPath().resolve("mine"), command.runDir());
        Path dataset = parsed.getCommandSpec().findOption("--dataset").getValue();
        assertEquals(data.toRealPath().resolve("kvasir"), dataset);
        Path pretrained = parsed.getCommandSpec().findOption("--pretrained").getValue();
        assertEquals(runs.toRealPath().resolve("job1/checkpoints/best.zip"), pretrained);
    }

    @Test
    void atFilesAreNotExpanded() throws Exception {
        // picocli would read "@file" and put its content in the arguments (and in the error message)
        Path argFile = Files.writeString(outside.resolve("args.txt"), "--epochs 99");
        RunnableCommand command = JobType.FINETUNE.newCommand();
        CommandLine parsed = JobOptions.parse(JobType.FINETUNE, command, List.of("--dataset", "kvasir",
                "--schedule", "@" + argFile));
        assertEquals("@" + argFile, parsed.getCommandSpec().findOption("--schedule").getValue());
        assertEquals(20, (int) parsed.getCommandSpec().findOption("--epochs").getValue());
    }

    @Test
    void missingOrUnreadableRootsAreNamedAtStartUp() throws Exception {
        TrainerConfig config = config(List.of(data, tmp.resolve("missing")), tmp.resolve("new-runs"), 100);
        List<String> problems = JobService.problems(config, Optional.of("file:key.pem"), Optional.empty());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("endostream.trainer.data-roots: "), problems.toString());
        assertTrue(Files.isDirectory(tmp.resolve("new-runs")), "the run root is created");

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        problems = JobService.problems(config(List.of(data), file.resolve("runs"), 0), Optional.empty(),
                Optional.empty());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("endostream.trainer.run-root")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("endostream.trainer.keep-finished-jobs")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("mp.jwt.verify.publickey.location must be set")),
                problems.toString());
        assertEquals(List.of(), JobService.problems(config(List.of(data, data2), runs, 1), Optional.empty(),
                Optional.of("MIIB...")));
    }

    private void refusedRead(String field, String path) {
        JobRequestException e = assertThrows(JobRequestException.class, () -> roots.readable(field, path), path);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    private void refusedWrite(String field, String path) {
        JobRequestException e = assertThrows(JobRequestException.class, () -> roots.writable(field, path), path);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    private static TrainerConfig config(List<Path> dataRoots, Path runRoot, int keep) {
        return new TrainerConfig() {
            @Override
            public List<Path> dataRoots() {
                return dataRoots;
            }

            @Override
            public Path runRoot() {
                return runRoot;
            }

            @Override
            public int keepFinishedJobs() {
                return keep;
            }

            @Override
            public String jwtIssuer() {
                return "endostream";
            }
        };
    }
}
