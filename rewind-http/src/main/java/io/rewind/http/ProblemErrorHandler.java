package io.rewind.http;

import io.rewind.api.ErrorCode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before a route sees the request (a malformed URI, headers over
 * the limit, a request line it cannot parse), as {@code application/problem+json} like every other
 * error of the API, instead of Jetty's HTML page. Thread-safe.
 */
final class ProblemErrorHandler extends ErrorHandler {

    /** Every method gets a problem body, not only GET, POST and HEAD (Jetty's default). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        String target = request.getHttpURI() == null || request.getHttpURI().getPath() == null ? "/"
                : request.getHttpURI().getPath();
        byte[] body = problem(code, message).body(target);
        if (request.getLength() != 0) {
            // A body that may be partly unread: Jetty may close the connection after this answer.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static Problem problem(int status, String message) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 413, 414, 431 -> ErrorCode.TOO_LARGE;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
        };
        String title = HttpStatus.getMessage(status);
        return Problem.http(status, code, title, message == null || message.isBlank() ? title : message);
    }
}
