package io.keepalive.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Ports for servers that tests start in other processes (the operator, agents), which cannot take
 * port 0.
 */
public final class Ports {
  private Ports() {}

  /**
   * A port free right now; the caller's process binds it soon after (a small race every such test
   * accepts).
   */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
