package io.endostream.trainer.job;

import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.Map;

@Path("/jobs")
@Tag(name = "jobs", description = "Training, evaluation and export jobs, run one at a time per instance")
public class JobResource {

    @Inject
    JobManager manager;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a job",
            description = "type: pretrain | finetune | evaluate | export; options: the CLI options without dashes. "
                    + "Queued behind running jobs. 202 with the job; 400 naming the bad option.")
    public Response submit(JobRequest request, @Context UriInfo uri) {
        if (request == null) {
            throw new IllegalArgumentException("request body is required: {\"type\": ..., \"options\": {...}}");
        }
        JobView job = manager.submit(request);
        return Response.accepted(job).location(uri.getAbsolutePathBuilder().path(job.id()).build()).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List jobs (queued, running and the most recent finished), oldest first")
    public List<JobView> list() {
        return manager.list();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Status and progress of a job")
    public JobView get(@PathParam("id") String id) {
        return manager.get(id).orElseThrow(() -> notFound(id));
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: the job's state now and at every progress update until it ends")
    public Multi<JobView> events(@PathParam("id") String id) {
        manager.get(id).orElseThrow(() -> notFound(id));
        return Multi.createFrom().emitter(emitter -> {
            java.util.Optional<Runnable> unsubscribe = manager.subscribe(id, view -> {
                emitter.emit(view);
                if (view.status().terminal()) {
                    emitter.complete();
                }
            });
            unsubscribe.ifPresent(u -> emitter.onTermination(u));
        });
    }

    @DELETE
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a job: a queued one at once, a running one after its current iteration (202); "
            + "409 when it has already ended")
    public Response cancel(@PathParam("id") String id) {
        JobView before = manager.get(id).orElseThrow(() -> notFound(id));
        if (before.status().terminal()) {
            return Response.status(Response.Status.CONFLICT)
                    .entity(Map.of("error", "job " + id + " has already ended: " + before.status())).build();
        }
        return Response.accepted(manager.cancel(id).orElseThrow(() -> notFound(id))).build();
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException(Response.status(Response.Status.NOT_FOUND)
                .entity(Map.of("error", "no job " + id)).type(MediaType.APPLICATION_JSON).build());
    }

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", String.valueOf(e.getMessage()))).build();
    }
}
