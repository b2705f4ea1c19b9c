package io.keepalive.agent;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** What a socket saw, in the words the canary and the reuse counter decide on. */
public enum SocketEvent {
  /** A full HTTP response arrived. */
  ANSWERED,
  /**
   * The peer closed the connection in order (read returned -1): a server closing an idle
   * connection.
   */
  FIN,
  /** A reset (or a write on a connection the peer had already reset). */
  RESET,
  /** Our own read timeout passed without a byte: the request went nowhere. */
  NO_ANSWER,
  /**
   * The kernel gave up on the connection (ETIMEDOUT): keepalive probes or retransmissions went
   * unanswered.
   */
  KERNEL_TIMEOUT;

  /** Pure: maps the JDK's exceptions to what happened on the wire. */
  public static SocketEvent of(IOException e) {
    if (e instanceof HttpConnection.ClosedByPeerException) {
      return FIN;
    }
    if (e instanceof SocketTimeoutException) {
      return NO_ANSWER;
    }
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("timed out")) {
      return KERNEL_TIMEOUT;
    }
    return RESET;
  }
}
