package io.endostream.contracts;

import java.util.List;

/** A document (manifest, rollout plan) with one or more problems, each naming its field path. */
public class ValidationException extends RuntimeException {

    private final List<String> problems;

    public ValidationException(String what, List<String> problems) {
        super(what + " is invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, e.g. {@code "input.width must be > 0, was -3"}. */
    public List<String> problems() {
        return problems;
    }
}
