package io.endostream.local.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C / SIGTERM for a command that runs until done: the shutdown hook raises {@link #requested()} and waits until
 * the command says it has finished ({@link #close()}), at most 10 s.
 *
 * <p>Why a latch and not {@code mainThread.join()}: after the command returns, {@code main} calls
 * {@code System.exit}, which blocks for as long as shutdown hooks run, so a hook joining the main thread always waited
 * its whole timeout (every Ctrl-C took 10 s).
 */
final class GracefulStop implements AutoCloseable {

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop(String name) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Set once a stop was asked for: the command's loops check it. */
    AtomicBoolean requested() {
        return requested;
    }

    /** The command has finished (flushed, closed): a running hook lets the JVM exit now. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and has just been released.
        }
    }
}
