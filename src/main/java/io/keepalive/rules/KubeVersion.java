package io.keepalive.rules;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Kubernetes minor version such as v1.29, as the API server and Pod Security labels spell it. */
public record KubeVersion(int major, int minor) implements Comparable<KubeVersion> {
  /**
   * Keepalive sysctls are safe (kubelet) and allowed by Pod Security baseline; native sidecars are
   * on.
   */
  public static final KubeVersion V1_29 = new KubeVersion(1, 29);

  private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:[.+-].*)?$");
  private static final Pattern DIGITS = Pattern.compile("^(\\d+)");

  /** "v1.28", "1.29", "v1.34.4", "v1.30.2-eks-1"; empty when it is none of these. */
  public static Optional<KubeVersion> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(text.trim());
    return m.matches()
        ? Optional.of(new KubeVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
        : Optional.empty();
  }

  /** From the /version fields; managed clusters report minors like "29+". */
  public static Optional<KubeVersion> of(String major, String minor, String gitVersion) {
    Matcher ma = major == null ? null : DIGITS.matcher(major);
    Matcher mi = minor == null ? null : DIGITS.matcher(minor);
    if (ma != null && mi != null && ma.find() && mi.find()) {
      return Optional.of(
          new KubeVersion(Integer.parseInt(ma.group(1)), Integer.parseInt(mi.group(1))));
    }
    return parse(gitVersion);
  }

  public boolean atLeast(KubeVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(KubeVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return "v" + major + "." + minor;
  }
}
