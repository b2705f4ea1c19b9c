package io.keepalive.sidecar;

/**
 * Field names of the agent's /status document that the operator reads: the agent writes them
 * ({@code io.keepalive.agent.AgentStatus}), {@link AgentReport} reads them. docs/agent.md lists the
 * whole document.
 */
public final class StatusFields {
  public static final String SYSCTLS = "sysctls";

  /** In {@link #SYSCTLS}: the values in force equal the desired ones. */
  public static final String IN_SYNC = "inSync";

  /** In {@link #SYSCTLS}: one line per sysctl that differs. */
  public static final String DRIFT = "drift";

  public static final String CENSUS = "census";

  /** In {@link #CENSUS}: established connections. */
  public static final String ESTABLISHED = "established";

  /** In {@link #CENSUS}: established connections without the keepalive timer. */
  public static final String KEEPALIVE_OFF = "keepaliveOff";

  /** The agent's findings, most important first. */
  public static final String FINDINGS = "findings";

  private StatusFields() {}
}
