package io.rewind.http;

/** Ends a request with a problem of the HTTP layer (not of the store): 404, 405, 413, 415. */
final class HttpProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    HttpProblemException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }
}
