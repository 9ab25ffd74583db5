package io.endostream.gateway.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.gateway.dashboard.SocketAuth;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live viewer's WebSocket, {@code /viewer/ws}. The browser sends {@code {"token": "<JWT>"}} first (role viewer or
 * operator), then {@code {"watch": "<stream id>"}} (or {@code {"watch": null}}). The server sends text messages
 * {@code {"type":"welcome"|"streams"|"error", ...}} and binary frame+mask messages ({@link ViewerMessages}).
 */
@WebSocket(path = "/viewer/ws")
public class ViewerSocket {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ViewerHub hub;

    @Inject
    SocketAuth auth;

    @OnOpen
    public String onOpen(WebSocketConnection connection) {
        if (!hub.open(connection)) {
            connection.close().subscribe().with(ok -> { }, fail -> { });
            return error("too many viewers connected (endostream.viewer.max-viewers)");
        }
        return "{\"type\":\"hello\",\"send\":\"{\\\"token\\\": \\\"<JWT with role viewer or operator>\\\"}\"}";
    }

    @OnTextMessage
    public String onMessage(String text, WebSocketConnection connection) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (Exception e) {
            return error("messages are JSON: {\"token\": ...} or {\"watch\": ...}");
        }
        if (msg.hasNonNull("token")) {
            try {
                SocketAuth.Who who = auth.verify(msg.get("token").asText());
                hub.authenticated(connection.id(), who.name());
                Map<String, Object> welcome = new LinkedHashMap<>();
                welcome.put("type", "welcome");
                welcome.put("user", who.name());
                welcome.put("roles", who.roles());
                welcome.put("streams", hub.streams());
                return ViewerHub.json(welcome);
            } catch (IllegalArgumentException e) {
                return error(e.getMessage());
            }
        }
        if (msg.has("watch")) {
            String stream = msg.get("watch").isNull() ? null : msg.get("watch").asText();
            hub.watch(connection.id(), stream);
            Map<String, Object> ack = new LinkedHashMap<>();
            ack.put("type", "watching");
            ack.put("stream", stream);
            return ViewerHub.json(ack);
        }
        return error("unknown message; send {\"token\": ...} or {\"watch\": ...}");
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        hub.close(connection.id());
    }

    static String error(String message) {
        return ViewerHub.json(Map.of("type", "error", "error", message));
    }
}
