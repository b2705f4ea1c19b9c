package io.keepalive.rules;

/**
 * Why the webhook leaves a pod alone. The names show up in Events on the policy, in the metric's
 * reason tag and in the webhook's log, and the policy status counts the pods it skips by them
 * ({@link InjectionDecision#podRulesOut}, {@link InjectionDecision#namespaceRulesOut}).
 */
public enum SkipReason {
  /** No policy of the pod's namespace selects it. */
  NoMatchingPolicy(false),
  /**
   * The pod or its namespace carries keepalive.io/inject: "false", or the webhook is opt-in and the
   * namespace does not carry keepalive.io/inject: "true".
   */
  OptedOut(false),
  /**
   * The pod already carries an injection (reinvocation, or a manifest copied from an injected pod).
   */
  AlreadyInjected(false),
  /**
   * Net sysctls are refused on hostNetwork pods, and a privileged init container would tune the
   * node.
   */
  HostNetwork(false),
  /** Windows pods cannot carry Linux sysctls. */
  WindowsPod(false),
  /** The pod already has a container or volume with a name the webhook injects. */
  NameTaken(true),
  /**
   * The namespace is not in the webhook's cache (nor found with a GET): its Pod Security is
   * unknown.
   */
  NamespaceUnknown(true),
  /** Another, older policy also selects the pod and wins it; reported on the losing policy only. */
  LostConflict(false),
  /**
   * strategy SecurityContext on an API server older than v1.29: the kubelet would reject the pod.
   */
  ClusterTooOld(true),
  /** The namespace's Pod Security (pinned below v1.29) rejects the keepalive sysctls. */
  PodSecurityForbidsSysctls(true),
  /**
   * The namespace's Pod Security rejects privileged containers, which the InitContainer strategy
   * needs.
   */
  PodSecurityForbidsPrivileged(true),
  /**
   * The pod is so large that, with what the policy adds, it might exceed what etcd stores: it is
   * created as it is rather than risk failing.
   */
  PodTooLarge(true);

  private final boolean warning;

  SkipReason(boolean warning) {
    this.warning = warning;
  }

  /** Whether the policy's owner has something to fix (Warning event) or it is expected (Normal). */
  public boolean warning() {
    return warning;
  }
}
