package io.keepalive.rules;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Pod Security Admission policy the API server enforces on a namespace, read from its labels
 * the way pod-security-admission reads them. Pod Security runs after mutating webhooks, so whatever
 * the webhook injects must pass it or the user's pod is rejected.
 *
 * @param level the enforced level
 * @param version the enforced policy version; empty means "latest"
 * @param versionUnreadable the enforce-version label is set but not a version we understand
 */
public record PodSecurity(Level level, Optional<KubeVersion> version, boolean versionUnreadable) {
  public static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
  public static final String ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

  public enum Level {
    privileged,
    baseline,
    restricted;

    /** Like pod-security-admission: an unknown level is treated as restricted. */
    static Level parse(String text, Level fallback) {
      if (text == null) {
        return fallback;
      }
      try {
        return valueOf(text.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return restricted;
      }
    }
  }

  /**
   * @param labels the namespace's labels
   * @param clusterDefault the level enforced where a namespace has no enforce label (privileged
   *     unless the API server's admission configuration says otherwise)
   */
  public static PodSecurity of(Map<String, String> labels, Level clusterDefault) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    Level level = Level.parse(l.get(ENFORCE_LABEL), clusterDefault);
    String versionText = l.get(ENFORCE_VERSION_LABEL);
    if (versionText == null || versionText.isBlank() || "latest".equals(versionText.trim())) {
      return new PodSecurity(level, Optional.empty(), false);
    }
    Optional<KubeVersion> version = KubeVersion.parse(versionText);
    return new PodSecurity(level, version, version.isEmpty());
  }

  /**
   * Privileged containers (and anything else) are allowed only at level privileged, in every
   * version.
   */
  public boolean allowsPrivileged() {
    return level == Level.privileged;
  }

  /**
   * Baseline and restricted allow the keepalive sysctls from policy version v1.29 on; a namespace
   * pinned to an older version still rejects them. An unreadable pinned version counts as too old:
   * skipping a pod is harmless, a rejected pod is not.
   */
  public boolean allowsKeepaliveSysctls() {
    if (level == Level.privileged) {
      return true;
    }
    if (versionUnreadable) {
      return false;
    }
    return version.map(v -> v.atLeast(KubeVersion.V1_29)).orElse(true);
  }

  @Override
  public String toString() {
    return "enforce="
        + level
        + (version.isPresent()
            ? " enforce-version=" + version.get()
            : versionUnreadable ? " enforce-version=<unreadable>" : "");
  }
}
