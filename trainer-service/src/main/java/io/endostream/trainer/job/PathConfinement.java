package io.endostream.trainer.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Confines the paths of job requests to the configured roots: a job reads only under a data root or the run root,
 * and writes only strictly below the run root. Without it any caller of the API could make the trainer read any
 * folder the process may read and write a run wherever it may write.
 *
 * <p>A relative path resolves under the roots; the result is normalised ({@code ..} removed) and the nearest part of
 * it that exists is resolved with {@link Path#toRealPath} (symbolic links followed), so neither {@code ..}, nor an
 * absolute path elsewhere, nor a symbolic link inside a root pointing outside it gets through. The confined path
 * returned is that real path, which the job then uses: what runs is what was checked.
 */
public final class PathConfinement {
    private final List<Path> dataRoots;
    private final Path runRoot;

    /**
     * @param dataRoots existing folders jobs may read from
     * @param runRoot   existing folder jobs write under (and may read from)
     * @throws IllegalArgumentException naming the setting when a root does not exist or cannot be read
     */
    public PathConfinement(List<Path> dataRoots, Path runRoot) {
        List<String> problems = problems(dataRoots, runRoot);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.dataRoots = dataRoots.stream().map(PathConfinement::real).toList();
        this.runRoot = real(runRoot);
    }

    /** Every problem with the roots, each naming its setting (empty when they are usable). */
    public static List<String> problems(List<Path> dataRoots, Path runRoot) {
        List<String> problems = new ArrayList<>();
        if (dataRoots == null || dataRoots.isEmpty()) {
            problems.add("endostream.trainer.data-roots must name at least one folder");
        } else {
            for (Path root : dataRoots) {
                if (!Files.isDirectory(root)) {
                    problems.add("endostream.trainer.data-roots: " + root.toAbsolutePath() + " is not an existing folder");
                } else if (!Files.isReadable(root) || !Files.isExecutable(root)) {
                    problems.add("endostream.trainer.data-roots: " + root.toAbsolutePath() + " cannot be read");
                }
            }
        }
        if (runRoot == null || !Files.isDirectory(runRoot)) {
            problems.add("endostream.trainer.run-root: " + (runRoot == null ? null : runRoot.toAbsolutePath())
                    + " is not an existing folder");
        } else if (!Files.isWritable(runRoot) || !Files.isReadable(runRoot) || !Files.isExecutable(runRoot)) {
            problems.add("endostream.trainer.run-root: " + runRoot.toAbsolutePath() + " cannot be read and written");
        }
        return problems;
    }

    public List<Path> dataRoots() {
        return dataRoots;
    }

    public Path runRoot() {
        return runRoot;
    }

    /**
     * A path a job reads (dataset, checkpoint, test list...): under a data root or the run root. A relative path is
     * looked up under each data root, then the run root; the first under which it exists wins (else the first data
     * root, and the job reports the missing file).
     *
     * @param field the request field, e.g. {@code options.dataset}, named in the refusal
     * @throws JobRequestException when the path lies outside every root
     */
    public Path readable(String field, String path) {
        Path p = parse(field, path);
        List<Path> roots = new ArrayList<>(dataRoots);
        roots.add(runRoot);
        Path candidate;
        if (p.isAbsolute()) {
            candidate = p;
        } else {
            candidate = roots.stream().map(r -> r.resolve(p)).filter(Files::exists).findFirst()
                    .orElse(dataRoots.get(0).resolve(p));
        }
        Path real = realish(field, path, candidate);
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return real;
            }
        }
        throw new JobRequestException(field, field + ": " + describe(path, real) + " is outside the data roots "
                + dataRoots + " (endostream.trainer.data-roots) and the run root " + runRoot
                + " (endostream.trainer.run-root)");
    }

    /**
     * A folder a job writes (run-dir, out): strictly below the run root; a relative path resolves under it.
     *
     * @throws JobRequestException when the path is the run root itself or lies outside it
     */
    public Path writable(String field, String path) {
        Path p = parse(field, path);
        Path real = realish(field, path, p.isAbsolute() ? p : runRoot.resolve(p));
        if (real.equals(runRoot)) {
            throw new JobRequestException(field, field + ": " + path + " is the run root itself: name a folder below "
                    + runRoot + " (endostream.trainer.run-root)");
        }
        if (!real.startsWith(runRoot)) {
            throw new JobRequestException(field, field + ": " + describe(path, real) + " is outside the run root "
                    + runRoot + " (endostream.trainer.run-root): runs are written only below it");
        }
        return real;
    }

    private static Path parse(String field, String path) {
        if (path == null || path.isBlank()) {
            throw new JobRequestException(field, field + " must not be blank");
        }
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new JobRequestException(field, field + ": not a valid path: " + e.getReason());
        }
    }

    /**
     * The normalised absolute path with its longest existing prefix replaced by that prefix's real path (symbolic
     * links resolved); the part that does not exist yet cannot hold a link.
     */
    private static Path realish(String field, String original, Path candidate) {
        Path abs = candidate.toAbsolutePath().normalize();
        Path existing = abs;
        // NOFOLLOW_LINKS: a dangling link counts as existing, so toRealPath below fails on it instead of it being
        // treated as a folder yet to create (creating through it would write wherever it points)
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            throw new JobRequestException(field, field + ": " + original + " cannot be resolved (" + existing
                    + " is a dangling or unreadable link)");
        }
    }

    private static String describe(String original, Path real) {
        return original.equals(real.toString()) ? original : original + " (resolves to " + real + ")";
    }

    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve " + root + ": " + e.getMessage(), e);
        }
    }
}
