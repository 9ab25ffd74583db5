package io.endostream.trainer.cli;

import io.endostream.trainer.run.Progress;
import io.endostream.trainer.run.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-written one-line progress bar with ETA on stderr (picocli has none). On a terminal it redraws in place at most
 * 5 times a second; when output is piped it prints a line every 15 seconds and at each phase/epoch change.
 */
public final class ConsoleProgressBar implements ProgressListener {
    private static final int WIDTH = 28;
    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private String lastMessage = "";
    private int lastLength;

    public ConsoleProgressBar(PrintStream out) {
        this(out, System.console() != null);
    }

    public ConsoleProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public synchronized void update(Progress p) {
        long now = System.currentTimeMillis();
        boolean changed = !p.message().equals(lastMessage);
        boolean finished = p.total() > 0 && p.done() >= p.total();
        long interval = interactive ? 200 : 15_000;
        if (!changed && !finished && now - lastDraw < interval) {
            return;
        }
        lastDraw = now;
        lastMessage = p.message();
        String line = render(p);
        if (interactive) {
            String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
            out.print("\r" + line + pad);
            lastLength = line.length();
            if (finished || p.message().endsWith("done")) {
                out.println();
                lastLength = 0;
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String render(Progress p) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-9s", p.phase()));
        if (p.total() > 0) {
            int filled = (int) Math.round(p.fraction() * WIDTH);
            sb.append(" [").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% %d/%d", Math.round(p.fraction() * 100), p.done(), p.total()));
        }
        sb.append("  ").append(p.message());
        for (Map.Entry<String, Double> e : p.metrics().entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %s %.4f", e.getKey(), e.getValue()));
        }
        sb.append("  elapsed ").append(clock(p.elapsedSeconds()));
        if (p.etaSeconds() >= 0) {
            sb.append("  ETA ").append(clock(p.etaSeconds()));
        }
        return sb.toString();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
