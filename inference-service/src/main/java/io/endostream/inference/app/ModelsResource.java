package io.endostream.inference.app;

import io.endostream.inference.rollout.RolloutFollower;
import io.endostream.inference.model.LoadedModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Map;

/** What this instance runs: loaded model versions, the rollout plan it follows and its control-plane status (read-only). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** A loaded version as the API shows it. */
    public record ModelView(String name, String version, String provider, int inputWidth, int inputHeight,
                            int maxBatch, int inFlight, boolean retiring) {
    }

    @Inject
    InferenceService service;

    @Inject
    ControlPlane controlPlane;

    @GET
    @Path("/models")
    @Operation(summary = "Model versions loaded on this instance, with their execution provider")
    public List<ModelView> models() {
        return service.registry().models().stream().map(ModelsResource::view).toList();
    }

    @GET
    @Path("/rollout")
    @Operation(summary = "The rollout plan this instance routes streams by (read-only: the gateway is the one writer; "
            + "PUT /api/rollout is gone)")
    public String plan() {
        return service.registry().plan().toJson();
    }

    @GET
    @Path("/control-plane")
    @Operation(summary = "Whether this instance follows the gateway's control topics, and what it knows: plan "
            + "revision, reachability (stale = serving on the last known plan), versions that failed to load")
    public Map<String, Object> controlPlane() {
        RolloutFollower follower = controlPlane.follower();
        if (follower == null) {
            return Map.of("enabled", false);
        }
        return Map.of("enabled", true, "status", follower.status());
    }

    /** An error the client can read. */
    public record Problem(String error) {
    }

    private static ModelView view(LoadedModel m) {
        return new ModelView(m.ref().name(), m.ref().version(), m.model().provider().id(), m.model().inputWidth(),
                m.model().inputHeight(), m.model().maxBatch(), m.inFlight(), m.retiring());
    }
}
