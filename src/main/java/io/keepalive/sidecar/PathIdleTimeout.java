package io.keepalive.sidecar;

/**
 * What idle-timeout discovery found out about the path to one target: the bracket between the
 * longest idle time a connection survived and the shortest after which one was silently lost. The
 * agent computes it from its own connections; the operator adds up the agents' brackets the same
 * way ({@link #plus}), so that one pure function says what a bracket means on both sides.
 *
 * <p>A connection the server closed itself (FIN) says nothing about the path: it only shows that
 * the server's own idle timeout came first. Such connections are counted, never bracketed.
 *
 * @param survivedSeconds the longest idle time after which a connection still answered, or null
 * @param lostSeconds the shortest idle time after which a connection got no answer or a reset, or
 *     null
 * @param closedByServer connections the server closed itself while they were idle
 * @param unreachable connections that could not be opened or used for a first request
 * @param connections all connections of the finished rounds
 */
public record PathIdleTimeout(
    Integer survivedSeconds,
    Integer lostSeconds,
    int closedByServer,
    int unreachable,
    int connections) {

  /** What the bracket says, one word for programs. */
  public enum Verdict {
    /** No round has finished yet. */
    Pending,
    /** Survived S s, lost after L s, S < L: the path's idle timeout is above S and at most L. */
    Bracketed,
    /** Every connection that reached the path survived: the timeout is longer than the longest. */
    LongerThanTried,
    /** Every connection that reached the path was lost: the timeout is at most the shortest. */
    ShorterThanTried,
    /** The server closed idle connections before anything else happened: nothing learned. */
    ServerClosesFirst,
    /** A connection survived longer than another was lost: no single idle timeout explains it. */
    Inconsistent,
    /** No connection could be used at all. */
    Unreachable
  }

  public static final PathIdleTimeout NONE = new PathIdleTimeout(null, null, 0, 0, 0);

  /** Two brackets as one: the longest survivor, the shortest loss, every count. */
  public PathIdleTimeout plus(PathIdleTimeout other) {
    return new PathIdleTimeout(
        max(survivedSeconds, other.survivedSeconds),
        min(lostSeconds, other.lostSeconds),
        closedByServer + other.closedByServer,
        unreachable + other.unreachable,
        connections + other.connections);
  }

  public Verdict verdict() {
    if (connections == 0) {
      return Verdict.Pending;
    }
    if (survivedSeconds != null && lostSeconds != null) {
      return survivedSeconds < lostSeconds ? Verdict.Bracketed : Verdict.Inconsistent;
    }
    if (survivedSeconds != null) {
      return Verdict.LongerThanTried;
    }
    if (lostSeconds != null) {
      return Verdict.ShorterThanTried;
    }
    return closedByServer > 0 ? Verdict.ServerClosesFirst : Verdict.Unreachable;
  }

  /** One sentence a person reads on /status and on the policy. */
  public String summary() {
    String serverNote =
        closedByServer == 0
            ? ""
            : "; the server itself closed "
                + closedByServer
                + " idle connection(s), which say nothing about the path";
    return switch (verdict()) {
      case Pending -> "discovery still running";
      case Bracketed ->
          "the path forgets an idle connection after more than "
              + survivedSeconds
              + " s and at most "
              + lostSeconds
              + " s"
              + serverNote;
      case LongerThanTried ->
          "the path kept idle connections for "
              + survivedSeconds
              + " s, the longest tried that reached it: its idle timeout is longer"
              + serverNote;
      case ShorterThanTried ->
          "the path forgot idle connections within "
              + lostSeconds
              + " s, the shortest tried: its idle timeout is at most that; try shorter idle times"
              + serverNote;
      case ServerClosesFirst ->
          "the server closes idle connections before the path forgets them, so the path's idle "
              + "timeout cannot be seen through this target; measure against one that keeps idle "
              + "connections longer";
      case Inconsistent ->
          "a connection survived "
              + survivedSeconds
              + " s idle while another was lost after "
              + lostSeconds
              + " s: no single idle timeout explains that (several NAT gateways or load balancers "
              + "behind one address, or packet loss)";
      case Unreachable -> "no discovery connection could be opened and used";
    };
  }

  private static Integer max(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(Math.max(a, b));
  }

  private static Integer min(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(Math.min(a, b));
  }
}
