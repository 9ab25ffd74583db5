package io.endostream.gateway.app;

import io.endostream.contracts.control.AuditEntry;
import io.endostream.contracts.control.StreamAssignment;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.gateway.core.ApiException;
import io.endostream.gateway.core.RolloutController;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deployments and their rollouts: stable version, canary/shadow rollouts, promote, pause, resume, abort, pins,
 * analysis, stream assignments and the audit log. Reads need {@code viewer} (or {@code operator}), changes
 * {@code operator}.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "jwt")
public class DeploymentsResource {

    /** Body of most actions: why (goes to the audit log). */
    public record Reason(String reason) {
    }

    /** Body naming a model version. */
    public record ModelChoice(String model, String reason) {
    }

    @Inject
    GatewayService service;

    @Inject
    SecurityIdentity identity;

    @GET
    @Path("/deployments")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Every deployment's current plan")
    public Map<String, RolloutPlan> deployments() {
        return rollouts().plans();
    }

    @GET
    @Path("/deployments/{deployment}")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "A deployment's current plan, with its rollout status")
    public RolloutPlan plan(@PathParam("deployment") String deployment) {
        return rollouts().plan(deployment);
    }

    @PUT
    @Path("/deployments/{deployment}/stable")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Set the stable version (creates the deployment); refused while a rollout is in progress")
    public RolloutPlan setStable(@PathParam("deployment") String deployment, ModelChoice body) {
        if (body == null) {
            throw ApiException.badRequest("model", "a JSON body {\"model\": \"name:version\"} is required");
        }
        return rollouts().setStable(deployment, body.model(), who(), body.reason());
    }

    @POST
    @Path("/deployments/{deployment}/rollout")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Start rolling a candidate out: canary steps by share of new streams, optionally shadow first")
    public RolloutPlan start(@PathParam("deployment") String deployment, RolloutController.StartRequest body) {
        return rollouts().start(deployment, body, who());
    }

    @POST
    @Path("/deployments/{deployment}/promote")
    @RolesAllowed("operator")
    @Operation(summary = "Make the candidate stable now (streams on the old stable finish on it)")
    @Consumes(MediaType.WILDCARD)
    public RolloutPlan promote(@PathParam("deployment") String deployment, String body) {
        return rollouts().promote(deployment, who(), reason(body));
    }

    @POST
    @Path("/deployments/{deployment}/pause")
    @RolesAllowed("operator")
    @Operation(summary = "Hold the rollout at its step (no analysis decisions)")
    @Consumes(MediaType.WILDCARD)
    public RolloutPlan pause(@PathParam("deployment") String deployment, String body) {
        return rollouts().pause(deployment, who(), reason(body));
    }

    @POST
    @Path("/deployments/{deployment}/resume")
    @RolesAllowed("operator")
    @Operation(summary = "Resume a paused rollout; the step's sample starts again")
    @Consumes(MediaType.WILDCARD)
    public RolloutPlan resume(@PathParam("deployment") String deployment, String body) {
        return rollouts().resume(deployment, who(), reason(body));
    }

    @POST
    @Path("/deployments/{deployment}/abort")
    @RolesAllowed("operator")
    @Operation(summary = "Roll the candidate back now: its streams move to stable on their next frame")
    @Consumes(MediaType.WILDCARD)
    public RolloutPlan abort(@PathParam("deployment") String deployment, String body) {
        return rollouts().abort(deployment, who(), reason(body));
    }

    @PUT
    @Path("/deployments/{deployment}/pins/{stream}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Pin a stream to a version: it moves there on its next frame and stays")
    public RolloutPlan pin(@PathParam("deployment") String deployment, @PathParam("stream") String stream,
                           ModelChoice body) {
        if (body == null) {
            throw ApiException.badRequest("model", "a JSON body {\"model\": \"name:version\"} is required");
        }
        return rollouts().pin(deployment, stream, body.model(), who(), body.reason());
    }

    @DELETE
    @Path("/deployments/{deployment}/pins/{stream}")
    @RolesAllowed("operator")
    @Operation(summary = "Remove a pin (the stream stays on its version until it ends)")
    public RolloutPlan unpin(@PathParam("deployment") String deployment, @PathParam("stream") String stream) {
        return rollouts().unpin(deployment, stream, who(), null);
    }

    @GET
    @Path("/deployments/{deployment}/analysis")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The current step's figures and verdict against its gates")
    public Map<String, Object> analysis(@PathParam("deployment") String deployment) {
        return rollouts().analysis(deployment);
    }

    @GET
    @Path("/deployments/{deployment}/assignments")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Live streams of the deployment and the version each runs, with counts per version")
    public Map<String, Object> assignments(@PathParam("deployment") String deployment) {
        List<StreamAssignment> streams = service.core().assignments().all().stream()
                .filter(a -> deployment.equals(a.deployment())).toList();
        Map<String, Long> perVersion = new TreeMap<>();
        streams.forEach(a -> perVersion.merge(a.model().toString(), 1L, Long::sum));
        return Map.of("deployment", deployment, "perVersion", perVersion, "streams", streams);
    }

    @GET
    @Path("/audit")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The audit log, newest first: who or what decided, when, why, with the figures")
    public List<AuditEntry> audit(@QueryParam("deployment") String deployment,
                                  @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 10000) {
            throw ApiException.badRequest("limit", "limit must be within 1..10000, was " + limit);
        }
        return service.core().audit().latest(deployment, limit);
    }

    @POST
    @Path("/analysis/run")
    @RolesAllowed("operator")
    @Operation(summary = "Run one analysis round now (otherwise it runs every endostream.gateway.analysis.interval)")
    public List<String> analyseNow() {
        return service.analyse();
    }

    private RolloutController rollouts() {
        return service.core().rollouts();
    }

    private String who() {
        return identity.getPrincipal().getName();
    }

    /** The optional body {@code {"reason": "..."}}; empty or absent means no reason given. */
    static String reason(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return io.endostream.contracts.control.ControlJson.read(body, Reason.class).reason();
        } catch (io.endostream.contracts.ValidationException e) {
            throw ApiException.badRequest("reason", "the body must be {\"reason\": \"...\"} or empty: "
                    + e.problems().get(0));
        }
    }
}
