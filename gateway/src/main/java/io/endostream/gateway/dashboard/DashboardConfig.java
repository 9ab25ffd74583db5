package io.endostream.gateway.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The dashboard's settings, prefix {@code endostream.dashboard}; defaults in the annotations and in the README. */
@ConfigMapping(prefix = "endostream.dashboard")
public interface DashboardConfig {

    /** How often the per-version chart series take a point from the telemetry. Default 5s. */
    @WithDefault("5s")
    Duration sampleInterval();

    /** Points kept per version (at 5s, 180 points = 15 minutes). Default 180. */
    @WithDefault("180")
    int historyPoints();

    /** Versions with a chart series (the least recently active dropped first). Default 32. */
    @WithDefault("32")
    int maxVersions();

    /** How often the page's state (models, deployments, audit) is checked for changes and pushed. Default 1s. */
    @WithDefault("1s")
    Duration pushInterval();

    /** Audit entries the page shows. Default 50. */
    @WithDefault("50")
    int auditEntries();

    /** Most dashboard connections at once. Default 32. */
    @WithDefault("32")
    int maxClients();

    DevToken devToken();

    /**
     * DEV/LOCAL ONLY: {@code GET /dev/token?user=..&role=viewer|operator} signs tokens with a private key, so a
     * developer can log in without an identity provider. Off by default; application.properties turns it on only in
     * the {@code dev} profile (with the dev key pair in {@code gateway/dev/}). Never enable it in production.
     */
    interface DevToken {
        /** Default false. */
        @WithDefault("false")
        boolean enabled();

        /** PKCS#8 PEM private key that matches {@code mp.jwt.verify.publickey.location}. */
        Optional<String> privateKeyLocation();

        /** Issuer written into dev tokens (must match {@code mp.jwt.verify.issuer}). Default endostream. */
        @WithDefault("endostream")
        String issuer();
    }
}
