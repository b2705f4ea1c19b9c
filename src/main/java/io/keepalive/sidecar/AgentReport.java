package io.keepalive.sidecar;

import java.util.List;
import java.util.Map;

/**
 * What one pod's sidecar agent answered on /status, reduced to what the policy's status summarises.
 * The agent's full report stays available on the pod (port-forward to it) for the details.
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

  /**
   * Reads an agent's /status body; fields the operator does not know are ignored, so agents can
   * grow.
   */
  public static AgentReport parse(String pod, String body) {
    Object root;
    try {
      root = JsonText.parse(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "agent of pod " + pod + " sent a /status that is not JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> status)) {
      throw new IllegalArgumentException(
          "agent of pod " + pod + " sent a /status that is not a JSON object");
    }
    Map<?, ?> sysctls = object(status.get(StatusFields.SYSCTLS));
    Map<?, ?> census = object(status.get(StatusFields.CENSUS));
    return new AgentReport(
        pod,
        Boolean.TRUE.equals(sysctls.get(StatusFields.IN_SYNC)),
        strings(sysctls.get(StatusFields.DRIFT)),
        number(census.get(StatusFields.ESTABLISHED)),
        number(census.get(StatusFields.KEEPALIVE_OFF)),
        strings(status.get(StatusFields.FINDINGS)),
        number(census.get(StatusFields.KEEPALIVE_OLD_TIMING)),
        TargetObservation.parseAll(status.get(StatusFields.TARGETS)));
  }

  private static Map<?, ?> object(Object value) {
    return value instanceof Map<?, ?> map ? map : Map.of();
  }

  private static int number(Object value) {
    return value instanceof Number n ? n.intValue() : 0;
  }

  private static List<String> strings(Object value) {
    return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
  }
}
