package io.endostream.gateway.app;

import io.endostream.contracts.ValidationException;
import io.endostream.gateway.core.ApiException;
import io.endostream.gateway.core.FencedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps refusals to JSON bodies {@code {"status":400,"field":"steps","error":"..."}}. */
public class Problems {

    /** What a refused request gets back. */
    public record Problem(int status, String field, String error) {
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return respond(e.status(), e.field(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response validation(ValidationException e) {
        String first = e.problems().isEmpty() ? "" : e.problems().get(0);
        int space = first.indexOf(' ');
        return respond(400, space > 0 ? first.substring(0, space) : null, e.getMessage());
    }

    @ServerExceptionMapper
    public Response fenced(FencedException e) {
        return respond(503, null, e.getMessage());
    }

    static Response respond(int status, String field, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new Problem(status, field, message))
                .build();
    }
}
