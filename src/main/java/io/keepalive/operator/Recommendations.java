package io.keepalive.operator;

import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.policy.spec.TcpKeepalive;
import io.keepalive.sidecar.PathIdleTimeout;
import io.keepalive.sidecar.PathIdleTimeout.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Compares what the agents measured with what the policy says, and recommends values: one line per
 * recommendation, starting with the field and the value, then why, so that a user can apply it.
 * Pure. The rules, each with a margin of a fifth below what was measured:
 *
 * <ul>
 *   <li>tcp.timeSeconds below the longest idle time a discovery connection survived, when the
 *       policy's is not (a finding when it is at or above an idle time after which one was lost);
 *   <li>tcp.pathIdleTimeoutSeconds at the shortest idle time after which one was lost, when the
 *       policy leaves it out or says something the measurement contradicts (a finding then);
 *   <li>tcp.intervalSeconds and tcp.probes that notice a dead peer (or a flow the path forgot)
 *       within twice timeSeconds, once the path is known;
 *   <li>per HTTP target, a client idle timeout below the server's, when the policy gives none or
 *       one that is not below it;
 *   <li>a restart when connections keep the keepalive timing they were armed with.
 * </ul>
 */
final class Recommendations {
  static final int MAX_LINES = 10;

  /** Probes that still tolerate a few lost ones. */
  static final int PROBES = 4;

  private Recommendations() {}

  /**
   * @param findings what the measurements contradict in the policy, most important first
   * @param recommendations one line each: field, value, why
   */
  record Advice(List<String> findings, List<String> recommendations) {}

  static Advice advise(
      KeepalivePolicySpec spec, List<TargetSummary.Combined> targets, int connectionsOnOldTiming) {
    TcpKeepalive tcp = spec.getTcp();
    int time = tcp.time();
    List<String> findings = new ArrayList<>();
    List<String> lines = new ArrayList<>();

    List<TargetSummary.Combined> discovered =
        targets.stream().filter(t -> t.path() != null).toList();
    for (TargetSummary.Combined t : discovered) {
      PathIdleTimeout path = t.path();
      Verdict verdict = path.verdict();
      if ((verdict == Verdict.Bracketed || verdict == Verdict.ShorterThanTried)
          && time >= path.lostSeconds()) {
        findings.add(
            t.url()
                + ": tcp.timeSeconds "
                + time
                + " is at or above the path's idle timeout ("
                + path.summary()
                + "): idle connections are forgotten before their first keepalive probe"
                + (path.survivedSeconds() != null
                    ? "; use " + belowMeasured(path.survivedSeconds()) + " or less"
                    : ""));
      }
      if (verdict == Verdict.ShorterThanTried) {
        lines.add(
            "spec.discovery.idleSeconds: "
                + shorterIdleTimes(path.lostSeconds())
                + " (the path to "
                + t.url()
                + " forgot every connection that reached it, after "
                + path.lostSeconds()
                + " s the shortest: try shorter idle times to bracket its timeout)");
      }
    }

    // the longest idle time known to survive on every path: the first probe must leave before it
    Integer knownSafe =
        discovered.stream()
            .filter(
                t ->
                    t.path().verdict() == Verdict.Bracketed
                        || t.path().verdict() == Verdict.LongerThanTried)
            .map(t -> t.path().survivedSeconds())
            .min(Integer::compare)
            .orElse(null);
    Integer recommendedTime = null;
    if (knownSafe != null && time >= knownSafe) {
      recommendedTime = belowMeasured(knownSafe);
      lines.add(
          "tcp.timeSeconds: "
              + recommendedTime
              + " (idle connections survived "
              + knownSafe
              + " s on every path measured"
              + shortestLoss(discovered)
              + "; a fifth below that leaves a margin; now "
              + time
              + ")");
    }

    Integer pathTimeout = tcp.getPathIdleTimeoutSeconds();
    Integer shortestLoss =
        discovered.stream()
            .filter(
                t ->
                    t.path().verdict() == Verdict.Bracketed
                        || t.path().verdict() == Verdict.ShorterThanTried)
            .map(t -> t.path().lostSeconds())
            .min(Integer::compare)
            .orElse(null);
    // pathIdleTimeoutSeconds is the smallest idle timeout on any path: it is contradicted when it
    // is
    // above an idle time one path forgot, or not above what every path kept
    Integer longestSurvivor = knownSafe;
    if (pathTimeout != null) {
      if (shortestLoss != null && pathTimeout > shortestLoss) {
        findings.add(
            "tcp.pathIdleTimeoutSeconds "
                + pathTimeout
                + " is longer than measured: the path forgot an idle connection after "
                + shortestLoss
                + " s");
      }
      if (longestSurvivor != null && pathTimeout <= longestSurvivor) {
        findings.add(
            "tcp.pathIdleTimeoutSeconds "
                + pathTimeout
                + " is shorter than measured: every path kept an idle connection for "
                + longestSurvivor
                + " s");
      }
    }
    boolean consistent =
        shortestLoss != null && (longestSurvivor == null || longestSurvivor < shortestLoss);
    if (consistent
        && (pathTimeout == null
            || pathTimeout > shortestLoss
            || (longestSurvivor != null && pathTimeout <= longestSurvivor))) {
      lines.add(
          "tcp.pathIdleTimeoutSeconds: "
              + shortestLoss
              + " (the shortest idle time after which the path forgot a connection"
              + (longestSurvivor != null ? "; every path kept one " + longestSurvivor + " s" : "")
              + "; now "
              + (pathTimeout == null ? "not set" : pathTimeout)
              + ")");
    }

    if (knownSafe != null) {
      int effective = recommendedTime != null ? recommendedTime : time;
      if ((long) tcp.interval() * tcp.probeCount() > effective) {
        int probes = Math.min(tcp.probeCount(), PROBES);
        int interval = Math.max(1, effective / probes);
        lines.add(
            "tcp.intervalSeconds: "
                + interval
                + ", tcp.probes: "
                + probes
                + " (a dead peer, or a connection the path forgot, is then noticed "
                + (effective + interval * probes)
                + " s after it went idle, at most twice timeSeconds; now "
                + (time + (long) tcp.interval() * tcp.probeCount())
                + " s)");
      }
    }

    for (TargetSummary.Combined t : targets) {
      Double server = t.serverIdleTimeoutSeconds();
      if (server == null || server <= 0) {
        continue; // unknown, or no keep-alive at all (the agents' finding)
      }
      Integer client = clientIdleTimeout(spec, t.url());
      if (client != null && client < server) {
        continue;
      }
      int below = (int) Math.floor(server * 4 / 5);
      lines.add(
          below >= 1
              ? "http.targets["
                  + t.url()
                  + "].clientIdleTimeoutSeconds: "
                  + below
                  + " (the server closes idle connections after "
                  + seconds(server)
                  + " s: the client's pool must close them first; now "
                  + (client == null ? "not set" : client)
                  + ")"
              : "http.targets["
                  + t.url()
                  + "]: do not pool connections to it (the server closes idle connections after "
                  + seconds(server)
                  + " s)");
    }

    if (connectionsOnOldTiming > 0) {
      lines.add(
          "restart the workloads, or make them reconnect: "
              + connectionsOnOldTiming
              + " connection(s) keep the keepalive timing they were armed with, longer than "
              + "tcp.timeSeconds "
              + time);
    }
    return new Advice(
        List.copyOf(findings), lines.stream().limit(MAX_LINES).collect(Collectors.toList()));
  }

  /** A fifth below what was measured, at least 1 s. */
  static int belowMeasured(int seconds) {
    return Math.max(1, seconds * 4 / 5);
  }

  /** Three idle times well below the shortest one lost, e.g. 7, 15, 30 for 60. */
  static List<Integer> shorterIdleTimes(int lost) {
    return List.of(lost / 8, lost / 4, lost / 2).stream().filter(s -> s >= 1).distinct().toList();
  }

  private static String shortestLoss(List<TargetSummary.Combined> discovered) {
    return discovered.stream()
        .map(t -> t.path().lostSeconds())
        .filter(Objects::nonNull)
        .min(Integer::compare)
        .map(l -> ", and one was lost after " + l + " s")
        .orElse("");
  }

  private static Integer clientIdleTimeout(KeepalivePolicySpec spec, String url) {
    return spec.httpOrEmpty().getTargets().stream()
        .filter(t -> url.equals(t.getUrl()))
        .map(HttpTarget::getClientIdleTimeoutSeconds)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  private static String seconds(double s) {
    return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.1f", s);
  }
}
