package io.endostream.contracts.rollout;

import io.endostream.contracts.ValidationException;

import java.util.List;

/** A rollout plan with problems; {@link #problems()} lists each with its field path. */
public class InvalidRolloutPlanException extends ValidationException {

    public InvalidRolloutPlanException(String what, List<String> problems) {
        super(what, problems);
    }
}
