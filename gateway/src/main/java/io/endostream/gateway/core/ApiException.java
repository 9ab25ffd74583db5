package io.endostream.gateway.core;

/**
 * A refused request: the HTTP status, the request field at fault (or null) and a message that says what is wrong.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String field;

    public ApiException(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, field, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, null, message);
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(409, field, message);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
