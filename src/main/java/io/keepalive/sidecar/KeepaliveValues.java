package io.keepalive.sidecar;

import io.keepalive.policy.spec.TcpKeepalive;
import java.util.StringJoiner;
import java.util.function.ToIntFunction;

/**
 * The three keepalive numbers of one network namespace: desired by a policy, in force in a pod, or
 * observed by the agent. The one type for them; {@link #get} is the one place that maps a sysctl to
 * its number.
 */
public record KeepaliveValues(int timeSeconds, int intervalSeconds, int probes) {

  public static final KeepaliveValues LINUX_DEFAULTS =
      new KeepaliveValues(
          TcpKeepalive.LINUX_DEFAULT_TIME,
          TcpKeepalive.LINUX_DEFAULT_INTERVAL,
          TcpKeepalive.LINUX_DEFAULT_PROBES);

  /** The values a policy asks for, with the API server's defaults where a field is absent. */
  public static KeepaliveValues of(TcpKeepalive tcp) {
    return new KeepaliveValues(tcp.time(), tcp.interval(), tcp.probeCount());
  }

  /** Each sysctl's value from {@code value}. */
  public static KeepaliveValues of(ToIntFunction<KeepaliveSysctl> value) {
    return new KeepaliveValues(
        value.applyAsInt(KeepaliveSysctl.TIME),
        value.applyAsInt(KeepaliveSysctl.INTERVAL),
        value.applyAsInt(KeepaliveSysctl.PROBES));
  }

  public int get(KeepaliveSysctl sysctl) {
    return switch (sysctl) {
      case TIME -> timeSeconds;
      case INTERVAL -> intervalSeconds;
      case PROBES -> probes;
    };
  }

  /** One line, the same shape apply-sysctls prints and the agent logs. */
  public String describe() {
    StringJoiner line = new StringJoiner(" ");
    for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
      line.add(s.fileName() + "=" + get(s));
    }
    return line.toString();
  }
}
