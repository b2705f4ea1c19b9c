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

  /**
   * In {@link #CENSUS}: established connections whose keepalive timer has more left than the
   * desired tcp_keepalive_time (armed before the sysctls changed).
   */
  public static final String KEEPALIVE_OLD_TIMING = "keepaliveOldTiming";

  /** One object per HTTP target. */
  public static final String TARGETS = "targets";

  /** In a target: its URL, as the policy gives it. */
  public static final String URL = "url";

  /** In a target: the server's idle timeout as measured, seconds (a number, or null). */
  public static final String MEASURED_IDLE_TIMEOUT = "measuredIdleTimeoutSeconds";

  /** In a target: the server's idle timeout as its Keep-Alive header says (or null). */
  public static final String ADVERTISED_IDLE_TIMEOUT = "advertisedIdleTimeoutSeconds";

  /** In a target: idle-timeout discovery, null when the policy asks for none. */
  public static final String PATH_DISCOVERY = "pathDiscovery";

  /** In {@link #PATH_DISCOVERY}: {@link PathIdleTimeout#survivedSeconds()}. */
  public static final String LONGEST_SURVIVED = "longestSurvivedSeconds";

  /** In {@link #PATH_DISCOVERY}: {@link PathIdleTimeout#lostSeconds()}. */
  public static final String SHORTEST_LOST = "shortestLostSeconds";

  /** In {@link #PATH_DISCOVERY}: {@link PathIdleTimeout#closedByServer()}. */
  public static final String CLOSED_BY_SERVER = "closedByServer";

  /** In {@link #PATH_DISCOVERY}: {@link PathIdleTimeout#unreachable()}. */
  public static final String UNREACHABLE = "unreachable";

  /** In {@link #PATH_DISCOVERY}: {@link PathIdleTimeout#connections()}. */
  public static final String CONNECTIONS = "connections";

  /** The agent's findings, most important first. */
  public static final String FINDINGS = "findings";

  private StatusFields() {}
}
