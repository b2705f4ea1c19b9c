package io.keepalive.webhook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory for request bodies, reserved before a body is read and let go when the request is answered
 * or refused. Past its limit a budget either refuses the newcomer, or, when {@code evicting}, makes
 * the oldest requests still arriving give way to it: the API server's requests arrive whole within
 * milliseconds, so what has been arriving for long is the slowest client's. Thread-safe: requests
 * come and go on every event loop.
 */
final class BodyBudget {
  /** A request that holds part of the budget. */
  interface Request {
    /** It gave way to a newer request: what it held is no longer its own; answer it. */
    void gaveWay();
  }

  private final long max;
  private final boolean evicting;
  private long held;

  /** Requests still arriving, oldest first, with what they hold; only they can give way. */
  private final LinkedHashMap<Request, Long> arriving = new LinkedHashMap<>();

  /** Requests received whole, waiting for their answer, with what they hold. */
  private final Map<Request, Long> arrived = new HashMap<>();

  BodyBudget(long max, boolean evicting) {
    this.max = max;
    this.evicting = evicting;
  }

  synchronized long held() {
    return held;
  }

  synchronized void arriving(Request request) {
    arriving.put(request, 0L);
  }

  /** Received whole: it no longer gives way, and holds its part until {@link #release}. */
  synchronized void arrived(Request request) {
    Long part = arriving.remove(request);
    if (part != null) {
      arrived.put(request, part);
    }
  }

  /**
   * Reserves {@code bytes} more for {@code request}; false when there is no room, or when the
   * request gave way already (what it still sends is not kept).
   */
  boolean reserve(Request request, long bytes) {
    List<Request> evicted = new ArrayList<>();
    boolean room;
    synchronized (this) {
      if (!arriving.containsKey(request)) {
        return false;
      }
      for (Iterator<Map.Entry<Request, Long>> oldest = arriving.entrySet().iterator();
          evicting && held + bytes > max && oldest.hasNext(); ) {
        Map.Entry<Request, Long> older = oldest.next();
        if (older.getKey() == request) {
          break; // only those that came before give way
        }
        held -= older.getValue();
        evicted.add(older.getKey());
        oldest.remove();
      }
      room = held + bytes <= max;
      if (room) {
        held += bytes;
        arriving.merge(request, bytes, Long::sum);
      }
    }
    evicted.forEach(Request::gaveWay);
    return room;
  }

  /** Lets go of what {@code request} holds, if anything (once answered or refused). */
  synchronized void release(Request request) {
    Long part = arriving.remove(request);
    if (part == null) {
      part = arrived.remove(request);
    }
    if (part != null) {
      held -= part;
    }
  }
}
