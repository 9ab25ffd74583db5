package io.endostream.gateway.dashboard;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;

/**
 * Checks the bearer token a browser sends as the first message of a WebSocket (browsers cannot set an Authorization
 * header on a WebSocket), with the same verification settings as the REST API ({@code mp.jwt.verify.*}).
 */
@ApplicationScoped
public class SocketAuth {

    /** Who a token says the caller is. */
    public record Who(String name, Set<String> roles) {
        public boolean mayView() {
            return roles.contains("viewer") || roles.contains("operator");
        }
    }

    @Inject
    JWTParser parser;

    /** The caller, or an {@link IllegalArgumentException} saying why the token is refused. */
    public Who verify(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no token");
        }
        String raw = token.startsWith("Bearer ") ? token.substring(7).trim() : token.trim();
        try {
            JsonWebToken jwt = parser.parse(raw);
            Who who = new Who(jwt.getName(), jwt.getGroups() == null ? Set.of() : Set.copyOf(jwt.getGroups()));
            if (!who.mayView()) {
                throw new IllegalArgumentException("the token has neither the role viewer nor operator");
            }
            return who;
        } catch (ParseException e) {
            throw new IllegalArgumentException("invalid token: " + e.getMessage());
        }
    }
}
