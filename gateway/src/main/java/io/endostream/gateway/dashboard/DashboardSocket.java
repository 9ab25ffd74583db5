package io.endostream.gateway.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's push channel, {@code /dashboard/ws}: the browser sends {@code {"token": "<JWT>"}} (role viewer or
 * operator); the server answers {@code welcome}, then pushes {@code history}, {@code state} and {@code points}
 * messages (see {@link DashboardHub}). Operator actions go through the REST API with the same token.
 */
@WebSocket(path = "/dashboard/ws")
public class DashboardSocket {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DashboardHub hub;

    @Inject
    SocketAuth auth;

    @OnTextMessage
    public void onMessage(String text, WebSocketConnection connection) {
        String token;
        try {
            JsonNode msg = JSON.readTree(text);
            token = msg.path("token").asText(null);
        } catch (Exception e) {
            token = null;
        }
        try {
            if (hub.full()) {
                throw new IllegalArgumentException("too many dashboards connected (endostream.dashboard.max-clients)");
            }
            SocketAuth.Who who = auth.verify(token);
            Map<String, Object> welcome = new LinkedHashMap<>();
            welcome.put("type", "welcome");
            welcome.put("user", who.name());
            welcome.put("roles", who.roles());
            connection.sendTextAndAwait(JSON.writeValueAsString(welcome));
            hub.join(connection);
        } catch (IllegalArgumentException e) {
            connection.sendTextAndAwait("{\"type\":\"error\",\"error\":" + quote(e.getMessage()) + "}");
        } catch (Exception e) {
            connection.sendTextAndAwait("{\"type\":\"error\",\"error\":\"internal error\"}");
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        hub.leave(connection.id());
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            return "\"\"";
        }
    }
}
