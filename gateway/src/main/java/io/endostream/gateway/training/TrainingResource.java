package io.endostream.gateway.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.gateway.app.GatewayService;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training through the gateway: a proxy to trainer-service's job API that forwards the signed-in user's own bearer
 * token (the trainer checks its roles again), streams a job's progress as server-sent events, and registers a
 * finished job's model through the normal registry path. Reads need {@code viewer}, changes {@code operator}.
 */
@Path("/api/training")
@SecurityRequirement(name = "jwt")
public class TrainingResource {

    @Inject
    TrainingService training;

    @Inject
    GatewayService gateway;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Whether training is configured (endostream.gateway.trainer-url) and the job the dashboard "
            + "proposes")
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("configured", training.configured().isPresent());
        training.configured().ifPresent(c -> out.put("trainerUrl", c.base().toString()));
        JsonNode template = training.jobTemplate().orElse(null);
        out.put("jobTemplate", template);
        return out;
    }

    @GET
    @Path("/jobs")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The trainer's jobs (queued, running, recent finished) with their progress")
    public Response jobs() {
        return relay(training.client().get("/jobs", bearer()), "/jobs");
    }

    @POST
    @Path("/jobs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Start a job on the trainer: {\"type\":\"pipeline\",\"options\":{...}} (the trainer's own "
            + "POST /jobs body); 202 with the job, or the trainer's refusal")
    public Response submit(String body) {
        if (body == null || body.isBlank()) {
            throw new TrainerException(400, "type", "request body is required: {\"type\": ..., \"options\": {...}}");
        }
        return relay(training.client().post("/jobs", body, bearer()), "/jobs");
    }

    @GET
    @Path("/jobs/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "One job: status, progress, result or error")
    public Response job(@PathParam("id") String id) {
        String path = "/jobs/" + TrainerClient.jobId(id);
        return relay(training.client().get(path, bearer()), path);
    }

    @DELETE
    @Path("/jobs/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Cancel a job (the trainer's DELETE /jobs/{id})")
    public Response cancel(@PathParam("id") String id) {
        String path = "/jobs/" + TrainerClient.jobId(id);
        return relay(training.client().delete(path, bearer()), path);
    }

    @GET
    @Path("/jobs/{id}/history")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The job's training curve (the trainer's JSON, as it is)")
    public Response history(@PathParam("id") String id) {
        String path = "/jobs/" + TrainerClient.jobId(id) + "/history";
        return relay(training.client().get(path, bearer()), path);
    }

    @GET
    @Path("/jobs/{id}/samples.png")
    @Produces("image/png")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The job's sample grid (frames, true masks, predicted masks)")
    public Response samples(@PathParam("id") String id) {
        String path = "/jobs/" + TrainerClient.jobId(id) + "/samples.png";
        TrainerClient.Reply reply = training.client().get(path, bearer());
        if (!reply.ok()) {
            throw TrainerClient.refused(path, reply);
        }
        return Response.ok(reply.body(), "image/png").header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/jobs/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Server-sent events: the job as JSON now and at every progress update until it ends "
            + "(relayed from the trainer)")
    public Multi<String> events(@PathParam("id") String id) {
        String path = "/jobs/" + TrainerClient.jobId(id) + "/events";
        // opened before the stream starts, so a refusal (401/403/404 from the trainer, 502 unreachable) is an answer
        InputStream in = training.client().openEvents(path, bearer());
        return Multi.createFrom().emitter(emitter -> {
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    StringBuilder data = new StringBuilder();
                    for (String line; (line = lines.readLine()) != null && !emitter.isCancelled(); ) {
                        if (line.startsWith("data:")) {
                            if (data.length() > 0) {
                                data.append('\n');
                            }
                            data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                        } else if (line.isEmpty() && data.length() > 0) {
                            emitter.emit(data.toString());
                            data.setLength(0);
                        }
                    }
                    if (data.length() > 0) {
                        emitter.emit(data.toString());
                    }
                } catch (IOException e) {
                    // the trainer closed the stream or the browser left: either way the relay ends
                }
                emitter.complete();
            }, "training-events-" + id);
            reader.setDaemon(true);
            emitter.onTermination(() -> {
                try {
                    in.close(); // unblocks the reader when the browser leaves first
                } catch (IOException ignored) {
                    // closing a broken stream
                }
            });
            reader.start();
        });
    }

    @POST
    @Path("/jobs/{id}/register")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("operator")
    @Operation(summary = "Register a finished job's model: fetch its model.onnx and manifest.json from the trainer and "
            + "register them like an upload (same checks); 201 with the record")
    public Response register(@PathParam("id") String id) {
        String who = identity.getPrincipal().getName();
        java.nio.file.Path temp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                "endostream-gateway-training");
        ModelVersionRecord record = JobRegistration.register(training.client(), bearer(), id, temp,
                training.maxModelBytes(), (manifest, onnx) -> gateway.core().registry().register(manifest, onnx,
                        who + " (from training job " + id + ")"));
        return Response.status(201).entity(record).build();
    }

    /** The caller's own token, forwarded so the trainer applies its role rules to the same user. */
    private String bearer() {
        return "Bearer " + jwt.getRawToken();
    }

    private static Response relay(TrainerClient.Reply reply, String path) {
        if (!reply.ok()) {
            throw TrainerClient.refused(path, reply);
        }
        return Response.status(reply.status()).type(MediaType.APPLICATION_JSON).entity(reply.body()).build();
    }
}
