package io.endostream.trainer.job;

import io.endostream.contracts.model.ModelManifest;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job API. Reads need the role {@code viewer} (or {@code operator}), submitting and cancelling {@code operator}:
 * JWT bearer tokens verified like the gateway's ({@code mp.jwt.verify.*}); no token 401, a viewer's change 403.
 * Refusals are {@code {"status":400,"field":"options.dataset","error":"..."}}, as the gateway's.
 */
@Path("/jobs")
@Tag(name = "jobs", description = "Training, evaluation and export jobs, run one at a time per instance")
@SecurityRequirement(name = "jwt")
public class JobResource {
    private static final Logger LOG = Logger.getLogger(JobResource.class);
    private static final String VIEWER = "viewer";
    private static final String OPERATOR = "operator";

    /** What a refused request gets back (the gateway's shape). */
    public record Problem(int status, String field, String error) {
    }

    @Inject
    JobManager manager;

    @Inject
    SecurityIdentity identity;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(OPERATOR)
    @Operation(summary = "Submit a job (operator)",
            description = "type: pretrain | finetune | evaluate | export | pipeline; options: the CLI options without "
                    + "dashes. Every path option must lie under a data root or the run root, run folders (run-dir, "
                    + "out) strictly below the run root; relative paths resolve under the roots. Queued behind "
                    + "running jobs. 202 with the job; 400 naming the bad field, e.g. options.dataset.")
    public Response submit(JobRequest request, @Context UriInfo uri) {
        if (request == null) {
            throw new JobRequestException(null, "request body is required: {\"type\": ..., \"options\": {...}}");
        }
        String who = identity.getPrincipal().getName();
        JobView job = manager.submit(request, who);
        LOG.infof("job %s (%s) submitted by %s", job.id(), job.type(), who);
        return Response.accepted(job).location(uri.getAbsolutePathBuilder().path(job.id()).build()).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "List jobs (queued, running and the most recent finished), oldest first")
    public List<JobView> list() {
        return manager.list();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "Status and progress of a job")
    public JobView get(@PathParam("id") String id) {
        return require(id);
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "Server-sent events: the job's state now and at every progress update until it ends")
    public Multi<JobView> events(@PathParam("id") String id) {
        require(id);
        return Multi.createFrom().emitter(emitter -> {
            Optional<Runnable> unsubscribe = manager.subscribe(id, view -> {
                emitter.emit(view);
                if (view.status().terminal()) {
                    emitter.complete();
                }
            });
            unsubscribe.ifPresent(emitter::onTermination);
        });
    }

    @DELETE
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(OPERATOR)
    @Operation(summary = "Cancel a job (operator): a queued one at once, a running one after its current iteration "
            + "(202); 409 when it has already ended")
    public Response cancel(@PathParam("id") String id) {
        JobView before = require(id);
        if (before.status().terminal()) {
            throw problem(409, null, "job " + id + " has already ended: " + before.status());
        }
        JobView after = manager.cancel(id).orElseThrow(() -> notFound(id));
        LOG.infof("job %s cancelled by %s", id, identity.getPrincipal().getName());
        return Response.accepted(after).build();
    }

    @GET
    @Path("{id}/history")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "Training curves recorded so far",
            description = "{\"id\",\"type\",\"status\",\"runs\":[{\"phase\":\"pretrain|finetune\",\"kind\",\"stoppedBy\","
                    + "\"rows\":[{\"epoch\":1.0,\"train_loss\":...,\"val_dice\":...}]}]}: one row per epoch (or per "
                    + "eval-every updates when fine-tuning), from each run's metrics.json. Runs that have not "
                    + "recorded an epoch yet are absent; a job without training has an empty list.")
    public Map<String, Object> history(@PathParam("id") String id) {
        JobView job = require(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", job.id());
        out.put("type", job.type());
        out.put("status", job.status());
        out.put("runs", JobOutputs.history(JobType.parse(job.type()), runDir(job)));
        return out;
    }

    @GET
    @Path("{id}/samples.png")
    @Produces("image/png")
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "The latest sample grid of a job (PNG)",
            description = "Rows input / target / prediction (input / corrupted / reconstruction when pretraining): "
                    + "the evaluation's grid when there is one, else the newest per-epoch grid. 404 when none yet.")
    public Response samples(@PathParam("id") String id,
                            @Parameter(description = "pretrain | finetune | evaluate: that run's grid (default: the latest)")
                            @QueryParam("phase") String phase) {
        JobView job = require(id);
        java.nio.file.Path file = JobOutputs.samples(JobType.parse(job.type()), runDir(job), phase)
                .orElseThrow(() -> problem(404, null, "job " + id + " has no sample grid"
                        + (phase == null ? "" : " for phase " + phase) + " yet"));
        return Response.ok(file.toFile(), "image/png").build();
    }

    @GET
    @Path("{id}/artifacts/model.onnx")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "The ONNX model a finished export or pipeline job wrote",
            description = "Register it with the gateway together with manifest.json. 404 with a message when the job "
                    + "exports nothing, has not succeeded, or the file is gone.")
    public Response model(@PathParam("id") String id) {
        java.nio.file.Path file = artifact(id, ModelManifest.DEFAULT_ONNX_FILE);
        return Response.ok(file.toFile(), MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"model.onnx\"").build();
    }

    @GET
    @Path("{id}/artifacts/manifest.json")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({VIEWER, OPERATOR})
    @Operation(summary = "The manifest of the model a finished export or pipeline job wrote (onnxSha256 included)")
    public Response manifest(@PathParam("id") String id) {
        return Response.ok(artifact(id, ModelManifest.FILE_NAME).toFile(), MediaType.APPLICATION_JSON).build();
    }

    private java.nio.file.Path artifact(String id, String file) {
        JobView job = require(id);
        JobType type = JobType.parse(job.type());
        if (JobOutputs.exportDir(type, runDir(job)).isEmpty()) {
            throw problem(404, null, "job " + id + " is a " + type.id() + " job: only export and pipeline jobs "
                    + "export a model");
        }
        if (job.status() != JobStatus.SUCCEEDED) {
            throw problem(404, null, "job " + id + " has no exported model: it is " + job.status()
                    + (job.status().terminal() ? "" : " (wait for SUCCEEDED)"));
        }
        return JobOutputs.artifact(type, runDir(job), file)
                .orElseThrow(() -> problem(404, null, "job " + id + ": " + file + " is no longer in its run folder"));
    }

    private static java.nio.file.Path runDir(JobView job) {
        return job.runDir() == null ? null : java.nio.file.Path.of(job.runDir());
    }

    private JobView require(String id) {
        return manager.get(id).orElseThrow(() -> notFound(id));
    }

    private static WebApplicationException notFound(String id) {
        return problem(404, null, "no job " + id);
    }

    private static WebApplicationException problem(int status, String field, String message) {
        return new WebApplicationException(respond(status, field, message));
    }

    private static Response respond(int status, String field, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new Problem(status, field, message))
                .build();
    }

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e) {
        return respond(400, e instanceof JobRequestException j ? j.field() : null, String.valueOf(e.getMessage()));
    }
}
