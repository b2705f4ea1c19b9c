package io.keepalive.sidecar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one agent observed about one HTTP target, as far as the policy's status sums it up: the
 * server's idle timeout and the bracket of idle-timeout discovery. Read from /status like the rest
 * of {@link AgentReport}, and as bounded: an answer that does not fit is refused whole, with a
 * reason that names the field and repeats nothing of it.
 *
 * @param url the target's URL, as the policy gives it
 * @param serverIdleTimeoutSeconds how long the server keeps an idle connection (measured, else
 *     advertised); null while unknown
 * @param path the discovery bracket; null when the policy asks for no discovery
 */
public record TargetObservation(String url, Double serverIdleTimeoutSeconds, PathIdleTimeout path) {

  /** A policy has at most 16 targets. */
  static final int MAX_TARGETS = 16;

  /** A policy's target URL is at most 2048 characters. */
  static final int MAX_URL = 2048;

  /** Longer than any idle time discovery tries (7200 s) or a server keeps (a day). */
  static final int MAX_SECONDS = 86_400;

  /** At most 8 idle times a round, counted over a few rounds' worth of agents. */
  static final int MAX_CONNECTIONS = 1_000_000;

  /** The targets of a /status answer; absent (an older agent) reads as none. */
  static List<TargetObservation> parseAll(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list) || list.size() > MAX_TARGETS) {
      throw invalid(StatusFields.TARGETS, "a list of at most " + MAX_TARGETS + " objects");
    }
    List<TargetObservation> targets = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> target)) {
        throw invalid(StatusFields.TARGETS, "a list of objects");
      }
      targets.add(
          new TargetObservation(
              url(target.get(StatusFields.URL)),
              serverIdleTimeout(target),
              path(target.get(StatusFields.PATH_DISCOVERY))));
    }
    return List.copyOf(targets);
  }

  private static String url(Object value) {
    if (!(value instanceof String url) || url.isEmpty() || url.length() > MAX_URL) {
      throw invalid(StatusFields.URL, "a URL of at most " + MAX_URL + " characters");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw invalid(StatusFields.URL, "a URL of printable ASCII characters");
      }
    }
    return url;
  }

  /**
   * The measured idle timeout, else the advertised one: the same order the agent's findings use.
   */
  private static Double serverIdleTimeout(Map<?, ?> target) {
    Double measured =
        seconds(target.get(StatusFields.MEASURED_IDLE_TIMEOUT), StatusFields.MEASURED_IDLE_TIMEOUT);
    Double advertised =
        seconds(
            target.get(StatusFields.ADVERTISED_IDLE_TIMEOUT), StatusFields.ADVERTISED_IDLE_TIMEOUT);
    return measured != null ? measured : advertised;
  }

  private static Double seconds(Object value, String field) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= MAX_SECONDS) {
      return n.doubleValue();
    }
    throw invalid(field, "a number of seconds from 0 to " + MAX_SECONDS);
  }

  private static PathIdleTimeout path(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> path)) {
      throw invalid(StatusFields.PATH_DISCOVERY, "an object");
    }
    PathIdleTimeout read =
        new PathIdleTimeout(
            whole(
                path.get(StatusFields.LONGEST_SURVIVED),
                StatusFields.LONGEST_SURVIVED,
                MAX_SECONDS,
                true),
            whole(
                path.get(StatusFields.SHORTEST_LOST),
                StatusFields.SHORTEST_LOST,
                MAX_SECONDS,
                true),
            whole(
                path.get(StatusFields.CLOSED_BY_SERVER),
                StatusFields.CLOSED_BY_SERVER,
                MAX_CONNECTIONS,
                false),
            whole(
                path.get(StatusFields.UNREACHABLE),
                StatusFields.UNREACHABLE,
                MAX_CONNECTIONS,
                false),
            whole(
                path.get(StatusFields.CONNECTIONS),
                StatusFields.CONNECTIONS,
                MAX_CONNECTIONS,
                false));
    int bracketed =
        (read.survivedSeconds() == null ? 0 : 1)
            + (read.lostSeconds() == null ? 0 : 1)
            + read.closedByServer()
            + read.unreachable();
    if (bracketed > read.connections()) {
      throw invalid(
          StatusFields.CONNECTIONS, "at least as many as the connections it accounts for");
    }
    return read;
  }

  private static Integer whole(Object value, String field, int most, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      return 0;
    }
    if (value instanceof Long n && n >= 0 && n <= most) {
      return n.intValue();
    }
    throw invalid(field, "a whole number from 0 to " + most);
  }

  private static AgentReport.Invalid invalid(String field, String what) {
    return new AgentReport.Invalid("the /status field " + field + " is not " + what);
  }
}
