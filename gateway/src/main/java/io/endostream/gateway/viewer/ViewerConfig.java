package io.endostream.gateway.viewer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The live viewer's settings, prefix {@code endostream.viewer}; defaults in the annotations and in the README. The
 * broker is Quarkus's {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "endostream.viewer")
public interface ViewerConfig {

    /** Frame topic. Default {@code endoscopy.frames}. */
    @WithDefault("endoscopy.frames")
    String framesTopic();

    /** Mask topic (also where the stream picker learns which streams exist). Default {@code endoscopy.masks}. */
    @WithDefault("endoscopy.masks")
    String masksTopic();

    /** Shadow mask topic. Default {@code endoscopy.masks.shadow}. */
    @WithDefault("endoscopy.masks.shadow")
    String shadowTopic();

    /** Most streams the picker lists (least recently seen dropped first). Default 200. */
    @WithDefault("200")
    int maxStreams();

    /** A stream with no mask for this long leaves the picker. Default 60s. */
    @WithDefault("60s")
    Duration streamTtl();

    /** Frame ids held per watched stream while frame and mask wait for each other (oldest dropped). Default 64. */
    @WithDefault("64")
    int pairSlots();

    /** Most browser connections at once (one more is refused). Default 32. */
    @WithDefault("32")
    int maxViewers();

    /** A connection that has not sent an accepted token by then is closed. Default 30s. */
    @WithDefault("30s")
    Duration loginTimeout();

    /** Largest record the viewer's consumer fetches per partition, bytes. Default 16842752 (a 16 MiB frame + headers). */
    @WithDefault("16842752")
    int maxFetchBytes();

    /** The consumer closes this long after the last viewer left (re-opened on the next). Default 30s. */
    @WithDefault("30s")
    Duration idleClose();
}
