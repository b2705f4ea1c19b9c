package io.keepalive.operator;

import io.keepalive.policy.status.ObservedTarget;
import io.keepalive.sidecar.AgentReport;
import io.keepalive.sidecar.PathIdleTimeout;
import io.keepalive.sidecar.TargetObservation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums up what the agents observed of each HTTP target: the server idle timeout that binds (the
 * shortest any agent saw) and the discovery brackets of all agents as one ({@link
 * PathIdleTimeout#plus}). Pure: the same reports give the same summary, in the order the targets
 * first appear (pods by name).
 */
final class TargetSummary {
  /** A policy has at most 16 targets; agents of older generations may name others. */
  static final int MAX_TARGETS = 16;

  private TargetSummary() {}

  /** Per target: the observations of every agent that reported it. */
  record Combined(String url, int pods, Double serverIdleTimeoutSeconds, PathIdleTimeout path) {}

  static List<Combined> combine(List<AgentReport> reports) {
    Map<String, Combined> byUrl = new LinkedHashMap<>();
    reports.stream()
        .sorted(Comparator.comparing(AgentReport::pod))
        .flatMap(r -> r.targets().stream())
        .forEach(
            t -> {
              Combined before = byUrl.get(t.url());
              if (before == null && byUrl.size() >= MAX_TARGETS) {
                return;
              }
              byUrl.put(t.url(), before == null ? first(t) : plus(before, t));
            });
    return List.copyOf(byUrl.values());
  }

  private static Combined first(TargetObservation t) {
    return new Combined(t.url(), 1, t.serverIdleTimeoutSeconds(), t.path());
  }

  private static Combined plus(Combined c, TargetObservation t) {
    Double server =
        c.serverIdleTimeoutSeconds() == null
            ? t.serverIdleTimeoutSeconds()
            : t.serverIdleTimeoutSeconds() == null
                ? c.serverIdleTimeoutSeconds()
                : Double.valueOf(
                    Math.min(c.serverIdleTimeoutSeconds(), t.serverIdleTimeoutSeconds()));
    PathIdleTimeout path =
        c.path() == null ? t.path() : t.path() == null ? c.path() : c.path().plus(t.path());
    return new Combined(c.url(), c.pods() + 1, server, path);
  }

  /** The status's view of them. */
  static List<ObservedTarget> observed(List<Combined> combined) {
    List<ObservedTarget> targets = new ArrayList<>();
    for (Combined c : combined) {
      ObservedTarget t = new ObservedTarget();
      t.setUrl(c.url());
      t.setPods(c.pods());
      t.setServerIdleTimeoutSeconds(c.serverIdleTimeoutSeconds());
      if (c.path() != null) {
        t.setPathSurvivedSeconds(c.path().survivedSeconds());
        t.setPathLostSeconds(c.path().lostSeconds());
        t.setPathDiscovery(c.path().summary());
      }
      targets.add(t);
    }
    return targets;
  }
}
