package io.keepalive.policy;

/**
 * Condition types and reasons on a policy's status; reasons are CamelCase as the API conventions
 * ask.
 */
public final class ConditionTypes {
  /** The policy is in force on every pod it wins. */
  public static final String READY = "Ready";

  /** Another, older policy selects some of the same pods and wins them. */
  public static final String CONFLICT = "Conflict";

  /** The sidecar agents of the matched pods answer. */
  public static final String AGENTS_REPORTING = "AgentsReporting";

  /** Observed values differ from desired ones, or the agents report findings. */
  public static final String DRIFTED = "Drifted";

  /**
   * Every workload of the selected pods runs the policy's generation (spec.rollout Automatic only).
   */
  public static final String ROLLED_OUT = "RolledOut";

  private ConditionTypes() {}
}
