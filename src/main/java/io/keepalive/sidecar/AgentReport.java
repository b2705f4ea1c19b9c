package io.keepalive.sidecar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one pod's sidecar agent answered on /status, reduced to what the policy's status summarises.
 * The agent's full report stays available on the pod (port-forward to it) for the details.
 *
 * <p>The answer comes from a pod, which its tenant controls: whoever answers on the agent's port
 * may send anything. So every field the operator reads is checked for its type and bounded (counts
 * in a range, at most a few lines of printable text each) before anything of it can reach a
 * policy's status; an answer that does not fit is refused whole, with a reason that repeats none of
 * it.
 *
 * @param pod pod name
 * @param inSync the three sysctls in force equal the desired ones
 * @param drift one line per sysctl that differs
 * @param established established TCP connections in the pod's netns
 * @param keepaliveOff established connections whose owner never enabled SO_KEEPALIVE
 * @param findings the agent's findings, most important first
 * @param keepaliveOldTiming established connections still on the keepalive timing they were armed
 *     with, longer than the desired one
 * @param targets what the agent observed of each HTTP target
 */
public record AgentReport(
    String pod,
    boolean inSync,
    List<String> drift,
    int established,
    int keepaliveOff,
    List<String> findings,
    int keepaliveOldTiming,
    List<TargetObservation> targets) {

  /** A report with nothing on old timings or targets (an agent without HTTP targets). */
  public AgentReport(
      String pod,
      boolean inSync,
      List<String> drift,
      int established,
      int keepaliveOff,
      List<String> findings) {
    this(pod, inSync, drift, established, keepaliveOff, findings, 0, List.of());
  }

  /** The largest /status the operator reads; the agent's own is a few kilobytes. */
  public static final int MAX_BYTES = 64 * 1024;

  /** More connections than a pod's network namespace can hold is not an observation. */
  static final int MAX_CONNECTIONS = 10_000_000;

  /** One line per keepalive sysctl. */
  static final int MAX_DRIFT_LINES = KeepaliveSysctl.values().length;

  /** Up to 16 HTTP targets with a few findings each, and the pod's own. */
  static final int MAX_FINDINGS = 128;

  /** A finding names its target's URL (at most 2048 characters) and says what is wrong. */
  static final int MAX_LINE = 4096;

  /** An answer the operator does not accept; its message names the field, never the content. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  /**
   * Reads an agent's /status body; fields the operator does not know are ignored, so agents can
   * grow.
   */
  public static AgentReport parse(String pod, String body) {
    Object root;
    try {
      root = JsonText.parse(body);
    } catch (IllegalArgumentException e) {
      throw new Invalid("the /status answer is not JSON");
    }
    if (!(root instanceof Map<?, ?> status)) {
      throw new Invalid("the /status answer is not a JSON object");
    }
    Map<?, ?> sysctls = object(status, StatusFields.SYSCTLS);
    Map<?, ?> census = object(status, StatusFields.CENSUS);
    int established = count(census, StatusFields.ESTABLISHED);
    int keepaliveOff = count(census, StatusFields.KEEPALIVE_OFF);
    int oldTiming = count(census, StatusFields.KEEPALIVE_OLD_TIMING);
    if (keepaliveOff > established) {
      throw new Invalid(
          "the /status answer counts more connections without keepalive than established ones");
    }
    if (oldTiming > established) {
      throw new Invalid(
          "the /status answer counts more connections on the old keepalive timing than established"
              + " ones");
    }
    return new AgentReport(
        pod,
        flag(sysctls, StatusFields.IN_SYNC),
        lines(sysctls, StatusFields.DRIFT, MAX_DRIFT_LINES),
        established,
        keepaliveOff,
        lines(status, StatusFields.FINDINGS, MAX_FINDINGS),
        oldTiming,
        TargetObservation.parseAll(status.get(StatusFields.TARGETS)));
  }

  /** An object, or an empty one when absent (an older agent); anything else is refused. */
  private static Map<?, ?> object(Map<?, ?> in, String field) {
    Object value = in.get(field);
    if (value == null) {
      return Map.of();
    }
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw new Invalid("the /status field " + field + " is not an object");
  }

  private static boolean flag(Map<?, ?> in, String field) {
    Object value = in.get(field);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw new Invalid("the /status field " + field + " is not true or false");
  }

  private static int count(Map<?, ?> in, String field) {
    Object value = in.get(field);
    if (value == null) {
      return 0;
    }
    if (value instanceof Long n && n >= 0 && n <= MAX_CONNECTIONS) {
      return n.intValue();
    }
    throw new Invalid(
        "the /status field " + field + " is not a whole number from 0 to " + MAX_CONNECTIONS);
  }

  private static List<String> lines(Map<?, ?> in, String field, int most) {
    Object value = in.get(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new Invalid("the /status field " + field + " is not a list");
    }
    if (list.size() > most) {
      throw new Invalid("the /status field " + field + " has more than " + most + " entries");
    }
    List<String> lines = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String line) || line.length() > MAX_LINE || !printable(line)) {
        throw new Invalid(
            "the /status field "
                + field
                + " holds something else than lines of printable text of at most "
                + MAX_LINE
                + " characters");
      }
      lines.add(line);
    }
    return List.copyOf(lines);
  }

  /** No control characters: a line ends up in a condition message, one line of text. */
  private static boolean printable(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
        return false;
      }
    }
    return true;
  }
}
