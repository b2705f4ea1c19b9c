package io.keepalive.webhook;

import io.vertx.core.http.HttpConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook's open connections, oldest first, with how many of their reviews are being worked on.
 * Past the limit a new connection pushes out the oldest one that has no review being worked on: a
 * client that opens connections and leaves them idle or trickling cannot lock the API server out,
 * it only loses its own oldest ones. Thread-safe: connections come and go on every event loop.
 */
final class ConnectionLimit {
  private final int max;
  private final Map<HttpConnection, AtomicInteger> open = new LinkedHashMap<>();

  ConnectionLimit(int max) {
    this.max = max;
  }

  /**
   * A new connection is open: the connection to close to stay within the limit (an older one, or
   * this one if every other has a review being worked on), or null.
   */
  synchronized HttpConnection opened(HttpConnection connection) {
    HttpConnection evicted = null;
    if (open.size() >= max) {
      for (var older : open.entrySet()) {
        if (older.getValue().get() == 0) {
          evicted = older.getKey();
          break;
        }
      }
      if (evicted == null) {
        return connection;
      }
      open.remove(evicted);
    }
    open.put(connection, new AtomicInteger());
    return evicted;
  }

  synchronized void closed(HttpConnection connection) {
    open.remove(connection);
  }

  /** How many of the connection's reviews are being worked on: such a one is never pushed out. */
  synchronized AtomicInteger reviewing(HttpConnection connection) {
    return open.getOrDefault(connection, new AtomicInteger());
  }

  synchronized int size() {
    return open.size();
  }
}
