package io.keepalive.webhook;

import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Refused requests are the caller's business, but a flood of them must neither fill the log nor go
 * unseen: one line per second at most, with how many were not logged.
 */
final class RefusalLog {
  private static final Logger LOG = Logger.getLogger(WebhookServer.class);
  private final AtomicLong nextLine = new AtomicLong(System.nanoTime());
  private final AtomicLong unlogged = new AtomicLong();

  void log(int status, String message) {
    long now = System.nanoTime();
    long next = nextLine.get();
    if (now - next < 0 || !nextLine.compareAndSet(next, now + 1_000_000_000L)) {
      unlogged.incrementAndGet();
      return;
    }
    long more = unlogged.getAndSet(0);
    LOG.infof(
        "refused a request with %d: %s%s",
        status,
        message.strip(),
        more > 0 ? " (and " + more + " more refused in the last second)" : "");
  }
}
