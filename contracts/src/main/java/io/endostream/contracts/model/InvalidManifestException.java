package io.endostream.contracts.model;

import io.endostream.contracts.ValidationException;

import java.util.List;

/** A model manifest with problems; {@link #problems()} lists each with its field path. */
public class InvalidManifestException extends ValidationException {

    public InvalidManifestException(String what, List<String> problems) {
        super(what, problems);
    }
}
