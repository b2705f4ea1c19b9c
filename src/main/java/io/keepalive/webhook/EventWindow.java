package io.keepalive.webhook;

import java.time.Duration;
import java.time.Instant;

/**
 * How Events on a policy are aggregated, as a pure function of what happened: the Event last
 * written for one policy and reason, the admissions counted since, and the time give what to write.
 * One Event per window, its count raised while it is younger than the window: a Deployment of 100
 * pods makes one Event with count 100.
 *
 * @param length how long one Event keeps growing
 */
record EventWindow(Duration length) {

  /** The Event last written for one policy and reason. */
  record Written(String name, int count, Instant first) {}

  sealed interface Step {
    /** Write a new Event with this count. */
    record Create(int count) implements Step {}

    /** Raise the written Event's count to this. */
    record Raise(String name, int count) implements Step {}

    /** Nothing to write; keep counting into the written Event. */
    record Wait() implements Step {}

    /**
     * Nothing to write and nothing left to grow: forget this policy and reason (deleted policies
     * too).
     */
    record Forget() implements Step {}
  }

  /**
   * @param last null when no Event was written yet, or the last write failed
   */
  Step next(Written last, int pending, Instant now) {
    boolean closed = last == null || last.first().plus(length).isBefore(now);
    if (pending == 0) {
      return closed ? new Step.Forget() : new Step.Wait();
    }
    return closed ? new Step.Create(pending) : new Step.Raise(last.name(), last.count() + pending);
  }
}
