package io.endostream.inference.model;

/** A model version that cannot be fetched, verified or opened; the message names the file, URL or setting. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
