package io.keepalive.agent;

import java.io.IOException;

/**
 * Checks one HTTP target the way a pooling client uses it: each round sends a request on the
 * connection kept from the previous round (reused) or on a new one, then a second request right
 * away on the same connection. It keeps counts across rounds: how many requests rode a reused
 * connection, and how many reuses failed because the server had closed or reset the pooled
 * connection in the meantime (what the workload sees as ECONNRESET or 502). Not thread-safe: one
 * thread runs the rounds, {@link #last()} is read by others.
 */
final class HttpTargetProbe {
  private final TargetUrl url;
  private final OwnSockets own;
  private HttpConnection pooled;
  private long requests;
  private long reusedRequests;
  private long resetsOnReuse;
  private String lastReuseFailure;
  private Double newConnectionMillis;
  private Double reusedConnectionMillis;
  private volatile Result last;

  record Result(
      boolean reachable,
      String error,
      String httpVersion,
      Boolean keepAlive,
      String connectionHeader,
      Integer advertisedIdleTimeoutSeconds,
      double reuseRatio,
      Double newConnectionMillis,
      Double reusedConnectionMillis,
      long resetsOnReuse,
      String lastReuseFailure,
      long requests) {}

  HttpTargetProbe(TargetUrl url, OwnSockets own) {
    this.url = url;
    this.own = own;
  }

  Result last() {
    return last;
  }

  Result round() {
    HttpConnection.HttpResponse response = null;
    try {
      HttpConnection connection = pooled;
      pooled = null;
      if (connection != null) {
        try {
          response = connection.get(url, HttpConnection.READ_TIMEOUT_MILLIS);
          countReused(response);
        } catch (IOException e) {
          resetsOnReuse++;
          lastReuseFailure = SocketEvent.of(e) + ": " + e.getMessage();
          connection.close();
          connection = null;
        }
      }
      if (connection == null) {
        long start = System.nanoTime();
        connection = HttpConnection.open(url, false, HttpConnection.CONNECT_TIMEOUT_MILLIS, own);
        try {
          response = connection.get(url, HttpConnection.READ_TIMEOUT_MILLIS);
        } catch (IOException | RuntimeException e) {
          connection.close();
          throw e;
        }
        // connect time included: that is what a new connection costs a request
        newConnectionMillis = HttpConnection.round1((System.nanoTime() - start) / 1e6);
        requests++;
        if (connection.reusable()) {
          try {
            countReused(connection.get(url, HttpConnection.READ_TIMEOUT_MILLIS));
          } catch (IOException e) {
            // the server said keep-alive and closed anyway: the same trap as a late reuse
            resetsOnReuse++;
            lastReuseFailure =
                SocketEvent.of(e) + " right after a keep-alive response: " + e.getMessage();
            connection.close();
          }
        }
      }
      if (connection.reusable()) {
        pooled = connection;
      } else {
        connection.close();
      }
      last =
          new Result(
              true,
              null,
              response.version(),
              response.keepAlive(),
              response.headers().get("connection"),
              response.advertisedIdleTimeoutSeconds(),
              reuseRatio(),
              newConnectionMillis,
              reusedConnectionMillis,
              resetsOnReuse,
              lastReuseFailure,
              requests);
    } catch (IOException | RuntimeException e) {
      last =
          new Result(
              false,
              "cannot reach " + url.host() + ":" + url.port() + ": " + HttpConnection.describe(e),
              null,
              null,
              null,
              null,
              reuseRatio(),
              newConnectionMillis,
              reusedConnectionMillis,
              resetsOnReuse,
              lastReuseFailure,
              requests);
    }
    return last;
  }

  private void countReused(HttpConnection.HttpResponse response) {
    requests++;
    reusedRequests++;
    reusedConnectionMillis = HttpConnection.round1(response.millis());
  }

  private double reuseRatio() {
    return requests == 0 ? 0 : Math.round(1000.0 * reusedRequests / requests) / 1000.0;
  }

  /** Closes the pooled connection; call from the thread that runs the rounds. */
  void close() {
    if (pooled != null) {
      pooled.close();
      pooled = null;
    }
  }
}
