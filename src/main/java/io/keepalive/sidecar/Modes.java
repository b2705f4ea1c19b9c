package io.keepalive.sidecar;

/**
 * The first argument of the one image: the operator runs itself in one mode and injects the other
 * two, so the webhook and {@code Main} read the names from here.
 */
public final class Modes {
  public static final String OPERATOR = "operator";

  /** The observing sidecar. */
  public static final String AGENT = "agent";

  /** The privileged init container of the InitContainer strategy. */
  public static final String APPLY_SYSCTLS = "apply-sysctls";

  private Modes() {}
}
