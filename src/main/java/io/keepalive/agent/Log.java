package io.keepalive.agent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Plain lines on stderr: the agent has no logging framework to configure and nothing to lose by it.
 */
final class Log {
  private Log() {}

  static void info(String message) {
    System.err.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " agent: " + message);
  }
}
