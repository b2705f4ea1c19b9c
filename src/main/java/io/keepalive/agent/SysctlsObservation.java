package io.keepalive.agent;

import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import java.util.ArrayList;
import java.util.List;

/**
 * The keepalive sysctls in force in the pod's network namespace next to the desired ones.
 *
 * @param drift one line per value that differs, "tcp_keepalive_time: observed 7200, desired 120";
 *     computed once here because /status, /metrics and every observation ask for it, and the
 *     snapshot never changes
 */
record SysctlsObservation(
    KeepaliveValues observed, String error, KeepaliveValues desired, List<String> drift) {

  SysctlsObservation(KeepaliveValues observed, String error, KeepaliveValues desired) {
    this(observed, error, desired, driftOf(observed, desired));
  }

  static SysctlsObservation read(KeepaliveSysctls sysctls, KeepaliveValues desired) {
    try {
      return new SysctlsObservation(sysctls.read(), null, desired);
    } catch (KeepaliveSysctls.SysctlException e) {
      return new SysctlsObservation(null, e.getMessage(), desired);
    }
  }

  private static List<String> driftOf(KeepaliveValues observed, KeepaliveValues desired) {
    if (observed == null) {
      return List.of();
    }
    List<String> drift = new ArrayList<>();
    for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
      if (observed.get(s) != desired.get(s)) {
        drift.add(s.fileName() + ": observed " + observed.get(s) + ", desired " + desired.get(s));
      }
    }
    return List.copyOf(drift);
  }

  boolean inSync() {
    return observed != null && drift.isEmpty();
  }
}
