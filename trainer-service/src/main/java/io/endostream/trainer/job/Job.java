package io.endostream.trainer.job;

import io.endostream.trainer.cli.RunnableCommand;
import io.endostream.trainer.run.Progress;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One submitted job: its command, state, latest progress and subscribers to its events. */
final class Job {
    final String id;
    final JobType type;
    final List<String> args;
    final RunnableCommand command;
    final String submittedBy;
    final Instant submittedAt = Instant.now();
    volatile Instant startedAt;
    volatile Instant finishedAt;
    volatile JobStatus status = JobStatus.QUEUED;
    volatile boolean cancelRequested;
    volatile Progress progress;
    volatile Map<String, Object> result;
    volatile String error;
    private final List<Consumer<JobView>> subscribers = new CopyOnWriteArrayList<>();

    Job(String id, JobType type, List<String> args, RunnableCommand command, String submittedBy) {
        this.id = id;
        this.submittedBy = submittedBy;
        this.type = type;
        this.args = List.copyOf(args);
        this.command = command;
    }

    synchronized JobView view() {
        Map<String, Object> p = null;
        if (progress != null) {
            p = new LinkedHashMap<>();
            p.put("phase", progress.phase());
            p.put("done", progress.done());
            p.put("total", progress.total());
            p.put("fraction", progress.fraction());
            p.put("elapsedSeconds", progress.elapsedSeconds());
            p.put("etaSeconds", progress.etaSeconds());
            p.put("metrics", progress.metrics());
            p.put("message", progress.message());
        }
        return new JobView(id, type.id(), status, args, command.runDir() == null ? null : command.runDir().toString(),
                submittedBy, submittedAt.toString(), startedAt == null ? null : startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString(), p, result, error);
    }

    /** Registers a subscriber and sends it the current state; returns false when the job has already ended. */
    synchronized boolean subscribe(Consumer<JobView> subscriber) {
        subscriber.accept(view());
        if (status.terminal()) {
            return false;
        }
        subscribers.add(subscriber);
        return true;
    }

    void unsubscribe(Consumer<JobView> subscriber) {
        subscribers.remove(subscriber);
    }

    void publish() {
        JobView v;
        synchronized (this) {
            v = view();
        }
        for (Consumer<JobView> s : subscribers) {
            s.accept(v);
        }
        if (v.status().terminal()) {
            subscribers.clear();
        }
    }
}
