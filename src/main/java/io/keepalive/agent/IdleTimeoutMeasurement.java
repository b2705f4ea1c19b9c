package io.keepalive.agent;

import java.io.IOException;

/**
 * Measures how long the server keeps an idle connection: one request, then nothing, and the time
 * until the server closes it. The connection has no SO_KEEPALIVE so that nothing of ours crosses
 * the wire while we wait.
 */
final class IdleTimeoutMeasurement {
  /**
   * Without a client idle timeout to compare with, we wait this long (nginx's default of 75 s
   * fits).
   */
  static final int DEFAULT_LIMIT_SECONDS = 120;

  /**
   * @param measuredSeconds the server's idle timeout, null when not measured (yet) or longer than
   *     the limit
   * @param atLeastSeconds set when the server kept the connection for the whole limit
   */
  record Result(Double measuredSeconds, Integer atLeastSeconds, String detail) {}

  /** Long enough to tell whether the server outlasts the client's pool, and not much longer. */
  static int limitSeconds(Integer clientIdleTimeoutSeconds) {
    return clientIdleTimeoutSeconds == null
        ? DEFAULT_LIMIT_SECONDS
        : Math.max(clientIdleTimeoutSeconds + 15, 30);
  }

  private final OwnSockets own;

  IdleTimeoutMeasurement(OwnSockets own) {
    this.own = own;
  }

  Result measure(TargetUrl url, int limitSeconds) throws IOException {
    try (HttpConnection connection =
        HttpConnection.open(url, false, HttpConnection.CONNECT_TIMEOUT_MILLIS, own)) {
      HttpConnection.HttpResponse response =
          connection.get(url, HttpConnection.READ_TIMEOUT_MILLIS);
      if (!response.keepAlive()) {
        return new Result(0.0, null, "server closes the connection after every response");
      }
      HttpConnection.IdleEnd end = connection.awaitPeer(limitSeconds * 1000L);
      if (end == null) {
        return new Result(
            null,
            limitSeconds,
            "server kept the idle connection for at least " + limitSeconds + " s");
      }
      double seconds = HttpConnection.round1(end.afterSeconds());
      return switch (end.event()) {
        case FIN ->
            new Result(seconds, null, "server closed the idle connection after " + seconds + " s");
        case RESET ->
            new Result(
                seconds,
                null,
                "idle connection reset after "
                    + seconds
                    + " s (by the server or a device on the path)");
        default ->
            new Result(
                null,
                null,
                "idle connection ended without a close from the server after "
                    + seconds
                    + " s: "
                    + end.message());
      };
    }
  }
}
