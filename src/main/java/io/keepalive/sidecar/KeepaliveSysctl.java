package io.keepalive.sidecar;

import io.keepalive.policy.spec.TcpKeepalive;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The three per-network-namespace keepalive sysctls: the one place for each one's name (in
 * /proc/sys and in a pod's securityContext), its apply-sysctls option and its range. The ranges are
 * the policy API's (taken from {@link TcpKeepalive}, so that apply-sysctls accepts exactly what a
 * policy can ask for): the socket-option limits of include/net/tcp.h (the sysctls themselves accept
 * more). A value outside them cannot be expressed per socket and usually means a unit mistake.
 */
public enum KeepaliveSysctl {
  TIME("tcp_keepalive_time", "--time", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_SECONDS),
  INTERVAL("tcp_keepalive_intvl", "--interval", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_SECONDS),
  PROBES("tcp_keepalive_probes", "--probes", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_PROBES);

  /** The pod-level names, in enum order. */
  public static final List<String> SYSCTL_NAMES =
      Arrays.stream(values()).map(KeepaliveSysctl::sysctlName).toList();

  private final String fileName;
  private final String option;
  private final int min;
  private final int max;

  KeepaliveSysctl(String fileName, String option, int min, int max) {
    this.fileName = fileName;
    this.option = option;
    this.min = min;
    this.max = max;
  }

  /** File name under /proc/sys/net/ipv4, also the name used in messages (tcp_keepalive_time). */
  public String fileName() {
    return fileName;
  }

  /** The name in a pod's securityContext.sysctls (net.ipv4.tcp_keepalive_time). */
  public String sysctlName() {
    return "net.ipv4." + fileName;
  }

  /** Command-line option of apply-sysctls. */
  public String option() {
    return option;
  }

  public boolean accepts(long value) {
    return value >= min && value <= max;
  }

  public String range() {
    return min + ".." + max;
  }

  /** The sysctl a pod-level name stands for; empty for any other sysctl. */
  public static Optional<KeepaliveSysctl> named(String sysctlName) {
    return Arrays.stream(values()).filter(s -> s.sysctlName().equals(sysctlName)).findFirst();
  }
}
