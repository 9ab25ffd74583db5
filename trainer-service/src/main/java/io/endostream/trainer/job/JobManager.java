package io.endostream.trainer.job;

import io.endostream.trainer.cli.RunnableCommand;
import io.endostream.trainer.run.RunCancelledException;
import picocli.CommandLine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs jobs one at a time (training takes the whole machine), in submission order. Plain Java: the REST resource
 * only wires it. Options are parsed by the CLI's picocli commands at submission, so a bad request fails at once with
 * picocli's message, and every path option is confined to the configured roots ({@link PathConfinement}); a job that fails while running keeps its error; cancelling a queued job removes it, cancelling a
 * running one stops it after the current iteration (its last checkpoint stays usable with {@code resume}).
 */
public final class JobManager implements AutoCloseable {
    private final PathConfinement confinement;
    private final int keepFinished;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-job");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param confinement  the roots every path of a request must lie under; jobs without an explicit run folder
     *                     write into {@code <run root>/<job id>}
     * @param keepFinished how many finished jobs stay listed
     */
    public JobManager(PathConfinement confinement, int keepFinished) {
        this.confinement = confinement;
        this.keepFinished = keepFinished;
    }

    /**
     * Parses the request with the CLI's command, confines its paths, and queues it.
     *
     * @param submittedBy who asks (shown in the job), or null
     * @throws JobRequestException naming the field of a bad type, option or path
     */
    public JobView submit(JobRequest request, String submittedBy) {
        JobType type = JobType.parse(request.type());
        List<String> args = request.toArgs();
        RunnableCommand command = type.newCommand();
        CommandLine parsed = JobOptions.parse(type, command, args);
        JobOptions.confine(parsed, confinement);
        String id = UUID.randomUUID().toString().substring(0, 8);
        command.defaultRunDir(confinement.runRoot().resolve(id));
        Job job = new Job(id, type, args, command, submittedBy);
        synchronized (jobs) {
            jobs.put(id, job);
            trim();
        }
        worker.submit(() -> runJob(job));
        return job.view();
    }

    private void runJob(Job job) {
        synchronized (job) {
            if (job.status != JobStatus.QUEUED) {
                return; // cancelled while queued
            }
            job.status = JobStatus.RUNNING;
            job.startedAt = Instant.now();
        }
        job.publish();
        try {
            Map<String, Object> result = job.command.execute(progress -> {
                job.progress = progress;
                job.publish();
            }, () -> job.cancelRequested);
            finish(job, JobStatus.SUCCEEDED, result, null);
        } catch (RunCancelledException e) {
            finish(job, JobStatus.CANCELLED, null, e.getMessage());
        } catch (RuntimeException | Error e) {
            finish(job, job.cancelRequested ? JobStatus.CANCELLED : JobStatus.FAILED, null,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void finish(Job job, JobStatus status, Map<String, Object> result, String error) {
        synchronized (job) {
            job.status = status;
            job.result = result;
            job.error = error;
            job.finishedAt = Instant.now();
        }
        job.publish();
    }

    public List<JobView> list() {
        synchronized (jobs) {
            return jobs.values().stream().sorted(Comparator.comparing((Job j) -> j.submittedAt)).map(Job::view).toList();
        }
    }

    public Optional<JobView> get(String id) {
        return job(id).map(Job::view);
    }

    /** Cancels a queued or running job; returns its state, empty when unknown. */
    public Optional<JobView> cancel(String id) {
        Optional<Job> found = job(id);
        found.ifPresent(job -> {
            boolean ended = false;
            synchronized (job) {
                if (job.status == JobStatus.QUEUED) {
                    job.status = JobStatus.CANCELLED;
                    job.error = "cancelled before it started";
                    job.finishedAt = Instant.now();
                    ended = true;
                } else if (job.status == JobStatus.RUNNING) {
                    job.cancelRequested = true;
                }
            }
            if (ended) {
                job.publish();
            }
        });
        return found.map(Job::view);
    }

    /**
     * Sends the job's state to the subscriber now and at every change until it ends.
     *
     * @return a handle to unsubscribe, empty when the job is unknown
     */
    public Optional<Runnable> subscribe(String id, Consumer<JobView> subscriber) {
        return job(id).map(job -> {
            job.subscribe(subscriber);
            return () -> job.unsubscribe(subscriber);
        });
    }

    private Optional<Job> job(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    private void trim() {
        List<Job> finished = new ArrayList<>(jobs.values().stream().filter(j -> j.status.terminal()).toList());
        for (int i = 0; i < finished.size() - keepFinished; i++) {
            jobs.remove(finished.get(i).id);
        }
    }

    @Override
    public void close() {
        jobs.values().forEach(j -> j.cancelRequested = true);
        worker.shutdownNow();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
