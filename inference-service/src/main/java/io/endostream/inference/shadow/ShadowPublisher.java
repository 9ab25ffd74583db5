package io.endostream.inference.shadow;

import io.endostream.contracts.WireRecord;

import java.util.concurrent.CompletionStage;

/**
 * Sends a shadow mask to the shadow topic ({@code endoscopy.masks.shadow} by default; key = stream id), never to
 * the mask topic. Best effort: the stage completes when the broker has it and fails otherwise; nobody waits for it.
 */
@FunctionalInterface
public interface ShadowPublisher {

    CompletionStage<Void> publishShadowMask(WireRecord shadowMask);
}
