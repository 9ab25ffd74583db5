package io.endostream.trainer.dataset;

import java.nio.file.Path;

/** A dataset file that cannot be used; the message always names the file. */
public class DatasetException extends RuntimeException {
    private final Path file;

    public DatasetException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
