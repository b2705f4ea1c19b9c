package io.keepalive.agent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns observations into sentences a user can act on, most important first. Pure functions over
 * snapshots.
 */
final class Findings {
  private Findings() {}

  /** Lower sorts first: what breaks connections now, then what will, then what costs. */
  enum Severity {
    LOST_ON_PATH,
    SYSCTLS_NOT_IN_FORCE,
    OLD_KEEPALIVE_TIMING,
    IDLE_TIMEOUT_ORDER,
    RESETS_ON_REUSE,
    CLOSED_BY_SERVER,
    UNREACHABLE,
    NO_KEEPALIVE,
    SOCKETS_WITHOUT_KEEPALIVE
  }

  record Finding(Severity severity, String text) {}

  static List<Finding> forTarget(TargetReport t) {
    List<Finding> findings = new ArrayList<>();
    if (t.urlError() != null) {
      findings.add(new Finding(Severity.UNREACHABLE, t.url() + ": " + t.urlError()));
      return findings;
    }
    if (t.probe() != null && !t.probe().reachable()) {
      findings.add(
          new Finding(Severity.UNREACHABLE, t.url() + ": unreachable: " + t.probe().error()));
    }
    IdleCanary.Result canary = t.canary();
    if (canary != null && canary.state() == CanaryOutcome.LostOnPath) {
      findings.add(
          new Finding(
              Severity.LOST_ON_PATH,
              t.url()
                  + ": an idle connection was lost on the path: "
                  + canary.detail()
                  + "; set tcp_keepalive_time below the path's idle timeout"));
    }
    if (t.probe() != null && t.probe().reachable() && Boolean.FALSE.equals(t.probe().keepAlive())) {
      findings.add(
          new Finding(
              Severity.NO_KEEPALIVE,
              t.url()
                  + ": server does not keep connections alive ("
                  + t.probe().httpVersion()
                  + ", Connection: "
                  + orDash(t.probe().connectionHeader())
                  + "): every request pays a new handshake and closed connections pile up in TIME_WAIT"));
    } else {
      Double serverIdle = serverIdleTimeout(t);
      Integer client = t.clientIdleTimeoutSeconds();
      if (serverIdle != null && client != null && serverIdle <= client) {
        findings.add(
            new Finding(
                Severity.IDLE_TIMEOUT_ORDER,
                t.url()
                    + ": server closes idle connections after "
                    + format(serverIdle)
                    + " s, before the client's "
                    + client
                    + " s: requests will hit closing connections (ECONNRESET, 502); make the client's pool idle "
                    + "timeout shorter than the server's"));
      }
      if (canary != null
          && canary.state() == CanaryOutcome.ClosedByServer
          && (client == null || serverIdle == null || serverIdle > client)) {
        findings.add(
            new Finding(Severity.CLOSED_BY_SERVER, t.url() + ": idle canary: " + canary.detail()));
      }
    }
    if (t.probe() != null && t.probe().resetsOnReuse() > 0) {
      findings.add(
          new Finding(
              Severity.RESETS_ON_REUSE,
              t.url()
                  + ": "
                  + t.probe().resetsOnReuse()
                  + " reuse(s) of a pooled connection failed ("
                  + t.probe().lastReuseFailure()
                  + ")"));
    }
    return findings;
  }

  /** The measured idle timeout, else what the server advertises. */
  static Double serverIdleTimeout(TargetReport t) {
    if (t.idleTimeout() != null && t.idleTimeout().measuredSeconds() != null) {
      return t.idleTimeout().measuredSeconds();
    }
    if (t.probe() != null && t.probe().advertisedIdleTimeoutSeconds() != null) {
      return t.probe().advertisedIdleTimeoutSeconds().doubleValue();
    }
    return null;
  }

  static List<Finding> forSysctls(SysctlsObservation s) {
    if (s.observed() == null) {
      return List.of(
          new Finding(
              Severity.SYSCTLS_NOT_IN_FORCE, "cannot read the keepalive sysctls: " + s.error()));
    }
    if (s.inSync()) {
      return List.of();
    }
    return List.of(
        new Finding(
            Severity.SYSCTLS_NOT_IN_FORCE,
            "keepalive sysctls not in force in this pod: "
                + String.join("; ", s.drift())
                + " (pod created before the policy, or the injection did not apply)"));
  }

  /**
   * @param sysctls what is in force: connections on the old timing are a finding of their own only
   *     while the sysctls are as desired (otherwise the drift is the finding, and reconnecting
   *     would not help)
   */
  static List<Finding> forCensus(SocketCensus c, SysctlsObservation sysctls) {
    List<Finding> findings = new ArrayList<>();
    if (c.keepaliveOldTiming() > 0 && sysctls.inSync()) {
      findings.add(
          new Finding(
              Severity.OLD_KEEPALIVE_TIMING,
              c.keepaliveOldTiming()
                  + " of "
                  + c.keepaliveArmed()
                  + " connections with keepalive keep the timing they were armed with (up to "
                  + duration(c.oldTimingLongestSeconds())
                  + " before the first probe, more than tcp_keepalive_time "
                  + sysctls.desired().timeSeconds()
                  + " s): they were opened before the sysctls changed (or set TCP_KEEPIDLE "
                  + "themselves) and use the new value only after that timer fires; restart the "
                  + "workload or let it reconnect"));
    }
    if (c.keepaliveOff() == 0) {
      return findings;
    }
    findings.add(
        new Finding(
            Severity.SOCKETS_WITHOUT_KEEPALIVE,
            c.keepaliveOff()
                + " of "
                + c.established()
                + " established connections have no keepalive timer: their owners never enabled SO_KEEPALIVE, so no "
                + "sysctl can keep them alive through a NAT"));
    return findings;
  }

  /** Seconds as a person reads them: "59 s", "119 min". */
  static String duration(int seconds) {
    return seconds < 120 ? seconds + " s" : (seconds / 60) + " min";
  }

  static List<String> sorted(List<Finding> findings) {
    return findings.stream()
        .sorted(Comparator.comparing(Finding::severity))
        .map(Finding::text)
        .toList();
  }

  static String format(double seconds) {
    return seconds == Math.rint(seconds)
        ? Long.toString((long) seconds)
        : String.format(Locale.ROOT, "%.1f", seconds);
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
