package io.endostream.inference.app;

import io.endostream.contracts.WireRecord;
import io.endostream.inference.shadow.ShadowPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.concurrent.CompletionStage;

/**
 * Publishes shadow masks through the SmallRye channel {@code shadow-masks} (topic {@code endoscopy.masks.shadow} by
 * default): a producer of its own, apart from the primary masks' one. A full emitter buffer fails the send at once
 * (counted by the shadow path), it never waits.
 */
@ApplicationScoped
public class SmallRyeShadowPublisher implements ShadowPublisher {

    @Inject
    @Channel("shadow-masks")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 64)
    Emitter<byte[]> shadowMasks;

    @Override
    public CompletionStage<Void> publishShadowMask(WireRecord record) {
        return SmallRyeOutcomePublisher.send(shadowMasks, record);
    }
}
