package io.endostream.local.simulator;

/** Shapes of simulated polyps (loosely after the Paris classification). */
enum PolypKind {
    /** Broad-based dome (0-Is). */
    SESSILE,
    /** Slightly raised, large and flat (0-IIa): subtle. */
    FLAT,
    /** Raspberry-like, bumpy outline and surface. */
    LOBULATED,
    /** Round head on a stalk (0-Ip), seen from above. */
    PEDUNCULATED
}
