package io.keepalive.policy;

/**
 * Labels and annotations the operator reads and writes on pods. The webhook writes the annotations
 * when it injects; the reconciler reads them to tell which pods run which policy generation.
 */
public final class PodMarks {
  /** Prefix of every annotation the operator writes. */
  public static final String ANNOTATION_PREFIX = "keepalive.io/";

  /** Label a pod (or its template) sets to "false" to opt out of injection. */
  public static final String INJECT_LABEL = "keepalive.io/inject";

  /** Name of the policy whose values were injected. */
  public static final String POLICY_ANNOTATION = "keepalive.io/policy";

  /** metadata.generation of that policy at injection time. */
  public static final String GENERATION_ANNOTATION = "keepalive.io/policy-generation";

  /** Hash of what was injected, so a second webhook call can tell it already did the work. */
  public static final String HASH_ANNOTATION = "keepalive.io/injected-hash";

  /** The strategy that was used: SecurityContext or InitContainer. */
  public static final String STRATEGY_ANNOTATION = "keepalive.io/strategy";

  /**
   * Port of the injected agent, present only when an agent was injected: the chart's PodMonitor
   * scrapes exactly these pods. The operator does not read it (anyone who can edit the pod can
   * change an annotation): it asks an agent on the port of the pod's injected container.
   */
  public static final String AGENT_PORT_ANNOTATION = "keepalive.io/agent-port";

  /** Label on the operator's own pods; the webhook's objectSelector excludes them. */
  public static final String COMPONENT_LABEL = "app.kubernetes.io/part-of";

  public static final String COMPONENT_VALUE = "keepalive-operator";

  private PodMarks() {}
}
