package io.keepalive.rules;

import io.keepalive.policy.spec.InjectionStrategy;
import java.util.Optional;

/**
 * Which strategy can work in a namespace: the policy's wish, the API server version and the
 * namespace's Pod Security. Pure; the only place that knows these rules.
 */
public final class StrategyChoice {
  private StrategyChoice() {}

  /** The concrete strategy to apply, or empty when the namespace or cluster rules it out. */
  public static Optional<InjectionStrategy> resolve(
      InjectionStrategy asked, PodSecurity podSecurity, ClusterFacts cluster) {
    boolean sysctls = cluster.keepaliveSysctlsAreSafe() && podSecurity.allowsKeepaliveSysctls();
    boolean privileged = podSecurity.allowsPrivileged();
    return switch (asked) {
      case SecurityContext ->
          sysctls ? Optional.of(InjectionStrategy.SecurityContext) : Optional.empty();
      case InitContainer ->
          privileged ? Optional.of(InjectionStrategy.InitContainer) : Optional.empty();
      case Auto ->
          sysctls
              ? Optional.of(InjectionStrategy.SecurityContext)
              : privileged ? Optional.of(InjectionStrategy.InitContainer) : Optional.empty();
    };
  }

  /** The named reason when {@link #resolve} is empty. */
  public static SkipReason whyNot(
      InjectionStrategy asked, PodSecurity podSecurity, ClusterFacts cluster) {
    return switch (asked) {
      case SecurityContext ->
          cluster.keepaliveSysctlsAreSafe()
              ? SkipReason.PodSecurityForbidsSysctls
              : SkipReason.ClusterTooOld;
      case InitContainer -> SkipReason.PodSecurityForbidsPrivileged;
      // Auto fell through both: name the strategy that would have been preferred where it was
      // possible
      case Auto ->
          cluster.keepaliveSysctlsAreSafe()
              ? SkipReason.PodSecurityForbidsSysctls
              : SkipReason.PodSecurityForbidsPrivileged;
    };
  }

  /** A sentence a namespace owner can act on. */
  public static String explain(
      InjectionStrategy asked, PodSecurity podSecurity, ClusterFacts cluster) {
    String sysctls =
        !cluster.keepaliveSysctlsAreSafe()
            ? "the API server is "
                + cluster.serverVersion()
                + " and the keepalive sysctls are safe only from v1.29"
            : "Pod Security "
                + podSecurity
                + " rejects the keepalive sysctls (allowed from policy version v1.29; "
                + "unpin or raise "
                + PodSecurity.ENFORCE_VERSION_LABEL
                + ")";
    String privileged = "Pod Security " + podSecurity + " rejects the privileged init container";
    return switch (asked) {
      case SecurityContext -> "strategy SecurityContext: " + sysctls;
      case InitContainer -> "strategy InitContainer: " + privileged;
      case Auto -> "strategy Auto: " + sysctls + ", and " + privileged;
    };
  }
}
