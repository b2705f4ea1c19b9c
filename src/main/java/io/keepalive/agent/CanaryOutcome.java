package io.keepalive.agent;

import java.util.Locale;

/** What became of the idle canary connection. */
public enum CanaryOutcome {
  /** No canary has finished yet. */
  Pending,
  /** Held idle for the whole time, then reused successfully. */
  Survived,
  /**
   * The server closed it in order (FIN): the server's idle timeout is shorter than the canary's
   * idle time.
   */
  ClosedByServer,
  /**
   * No answer, a reset or unanswered keepalive probes: something on the path (NAT, load balancer)
   * forgot it.
   */
  LostOnPath,
  /** No canary could be opened: the target did not answer at all or its URL is bad. */
  Unreachable;

  /** Where in its life the canary was when the socket reported something. */
  public enum Phase {
    IDLE,
    REUSE
  }

  /** Pure: the decision, from what the socket saw. */
  public static CanaryOutcome classify(Phase phase, SocketEvent event) {
    return switch (event) {
      case ANSWERED -> phase == Phase.REUSE ? Survived : Pending;
      case FIN -> ClosedByServer;
      // A reset, our own timeout on reuse, or the kernel's keepalive giving up: the server never
      // said goodbye,
      // so the state that still held the connection was somewhere in between.
      case RESET, NO_ANSWER, KERNEL_TIMEOUT -> LostOnPath;
    };
  }

  /** One sentence for /status and the log. */
  public static String explain(
      CanaryOutcome outcome, Phase phase, SocketEvent event, double afterSeconds, int idleSeconds) {
    String when =
        phase == Phase.IDLE
            ? String.format(
                Locale.ROOT, "after %.1f s of the %d s idle time", afterSeconds, idleSeconds)
            : "on reuse after " + idleSeconds + " s idle";
    return switch (outcome) {
      case Survived -> "reused after " + idleSeconds + " s idle";
      case ClosedByServer ->
          "server closed the idle connection (FIN) " + when + ": its idle timeout is shorter";
      case LostOnPath ->
          switch (event) {
            case RESET ->
                "connection reset " + when + ": a NAT or load balancer on the path forgot it";
            case KERNEL_TIMEOUT ->
                "keepalive probes or retransmissions unanswered "
                    + when
                    + ": the path forgot the connection";
            default ->
                "no answer "
                    + when
                    + ": the connection was silently lost on the path (NAT or load "
                    + "balancer forgot it)";
          };
      default -> outcome.name();
    };
  }
}
