package io.endostream.gateway.dashboard;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.vertx.core.http.HttpServerRequest;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Set;

/**
 * DEV/LOCAL ONLY: hands out signed tokens so the dashboard can be tried without an identity provider. Answers 404
 * unless {@code endostream.dashboard.dev-token.enabled=true} and a private key is configured, which
 * application.properties does only in the {@code dev} profile (see {@code gateway/dev/README.md}), and
 * {@code deploy/local/up.sh} does for the local stack with a key pair it generated for that stack alone. Even then it
 * answers only requests from this machine's loopback address (403 otherwise), so a gateway opened to a network never
 * hands tokens to other machines.
 */
@Path("/dev/token")
@PermitAll
public class DevTokenResource {

    private static final Set<String> ROLES = Set.of("viewer", "operator");

    @Inject
    DashboardConfig config;

    @Context
    HttpServerRequest request;

    private volatile DevTokens tokens;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "DEV ONLY (404 elsewhere): a token for user with role viewer or operator")
    public Response token(@QueryParam("user") @DefaultValue("dev") String user,
                          @QueryParam("role") @DefaultValue("viewer") String role) {
        DevTokens t = tokens();
        if (t == null) {
            return Response.status(404).entity("the dev token endpoint is disabled").build();
        }
        if (!fromLoopback()) {
            return Response.status(403).entity("dev tokens are handed out to this machine (loopback) only").build();
        }
        if (!ROLES.contains(role) || user.isBlank() || user.length() > 64) {
            return Response.status(400).entity("role must be viewer or operator and user 1..64 characters").build();
        }
        return Response.ok(t.sign(user, role, System.currentTimeMillis() / 1000)).build();
    }

    @HEAD
    public Response enabled() {
        return Response.status(tokens() == null ? 404 : fromLoopback() ? 200 : 403).build();
    }

    /** The caller's address is loopback (127.0.0.0/8 or ::1); proxies' forwarding headers are not trusted here. */
    private boolean fromLoopback() {
        if (request == null || request.remoteAddress() == null || request.remoteAddress().host() == null) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(request.remoteAddress().host()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private DevTokens tokens() {
        DashboardConfig.DevToken dev = config.devToken();
        if (!dev.enabled() || dev.privateKeyLocation().isEmpty()) {
            return null;
        }
        if (tokens == null) {
            tokens = new DevTokens(DevTokens.readPem(java.nio.file.Path.of(dev.privateKeyLocation().get())),
                    dev.issuer());
        }
        return tokens;
    }
}
