package io.endostream.inference.app;

import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.model.LoadedModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** What this instance runs: loaded model versions and the rollout plan it follows. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** A loaded version as the API shows it. */
    public record ModelView(String name, String version, String provider, int inputWidth, int inputHeight,
                            int maxBatch, int inFlight, boolean retiring) {
    }

    @Inject
    InferenceService service;

    @GET
    @Path("/models")
    @Operation(summary = "Model versions loaded on this instance, with their execution provider")
    public List<ModelView> models() {
        return service.registry().models().stream().map(ModelsResource::view).toList();
    }

    @GET
    @Path("/rollout")
    @Operation(summary = "The rollout plan this instance routes streams by")
    public String plan() {
        return service.registry().plan().toJson();
    }

    @PUT
    @Path("/rollout")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Follow another rollout plan (its versions must be loaded; the gateway will drive this)")
    public Response apply(String json) {
        try {
            service.registry().apply(RolloutPlan.fromJson(json));
            return Response.ok(service.registry().plan().toJson()).build();
        } catch (RuntimeException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new Problem(e.getMessage())).build();
        }
    }

    /** An error the client can read. */
    public record Problem(String error) {
    }

    private static ModelView view(LoadedModel m) {
        return new ModelView(m.ref().name(), m.ref().version(), m.model().provider().id(), m.model().inputWidth(),
                m.model().inputHeight(), m.model().maxBatch(), m.inFlight(), m.retiring());
    }
}
