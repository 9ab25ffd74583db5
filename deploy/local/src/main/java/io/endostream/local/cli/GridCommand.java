package io.endostream.local.cli;

import io.endostream.local.simulator.SampleGrid;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Writes a sample grid PNG of the simulator: frames on the top row (one seed each), their exact "
            + "polyp masks below.")
final class GridCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "Output PNG file.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "First seed; column c uses S + c (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--columns", defaultValue = "6", paramLabel = "N",
            description = "Number of frames (default: ${DEFAULT-VALUE}).")
    int columns;

    @Option(names = "--size", defaultValue = "360x288", paramLabel = "WxH", converter = FrameSize.Converter.class,
            description = "Size of each frame (default: ${DEFAULT-VALUE}).")
    FrameSize size;

    @Option(names = "--outline", description = "Also draw each mask's outline in green on its frame.")
    boolean outline;

    @Override
    public Integer call() {
        if (columns < 1) {
            throw new IllegalArgumentException("--columns must be >= 1, was " + columns);
        }
        SampleGrid.write(out, seed, columns, size.width(), size.height(), outline);
        System.out.println("Wrote " + out.toAbsolutePath());
        return 0;
    }
}
