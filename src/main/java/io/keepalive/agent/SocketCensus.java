package io.keepalive.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A count of the TCP sockets of this network namespace, read from /proc/net/tcp and /proc/net/tcp6
 * (both are per netns, so the sidecar sees the workload's sockets without any privilege).
 *
 * <p>"Keepalive armed" means the kernel's keepalive timer is pending on an established socket
 * (column {@code tr} = 2): its owner enabled SO_KEEPALIVE, so the namespace sysctls decide when it
 * probes. "Keepalive off" are the other established sockets: no sysctl can help them. A socket
 * whose retransmit or zero-window timer is pending at the moment of reading shows that timer
 * instead and counts as off for that one observation.
 *
 * <p>"Old timing" are armed sockets whose keepalive timer has more time left than the desired
 * tcp_keepalive_time (column {@code tm->when}, in 1/100 s): the kernel arms the timer with the
 * value in force when the owner enabled SO_KEEPALIVE (or last when it fired) and does not move it
 * when the sysctl is lowered later, so such a connection sends its first probe on the old schedule,
 * or has a per-socket TCP_KEEPIDLE above the sysctl.
 *
 * <p>The agent's own sockets are left out by port: sockets whose local port is one of the agent's
 * open client connections or its HTTP server port, and connections whose remote port is the agent's
 * server port (a client in the pod calling /status). A socket of the workload with the same local
 * port would be left out too.
 *
 * @param keepaliveOldTiming armed sockets whose timer has more left than the desired time
 * @param oldTimingLongestSeconds the most time any of those has left before its first probe
 */
public record SocketCensus(
    int established,
    int keepaliveArmed,
    int keepaliveOff,
    int timeWait,
    int closeWait,
    int excludedOwn,
    int keepaliveOldTiming,
    int oldTimingLongestSeconds) {

  static final int ST_ESTABLISHED = 0x01;
  static final int ST_TIME_WAIT = 0x06;
  static final int ST_CLOSE_WAIT = 0x08;
  static final int TIMER_KEEPALIVE = 2;

  /** {@code tm->when} counts clock ticks of USER_HZ, 100 per second on every Linux architecture. */
  static final int TICKS_PER_SECOND = 100;

  public static final SocketCensus EMPTY = new SocketCensus(0, 0, 0, 0, 0, 0, 0, 0);

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /**
   * Reads {@code <procNet>/tcp} and {@code <procNet>/tcp6} once, with a buffer of its own; the
   * agent keeps a {@link Reader} instead.
   */
  public static SocketCensus read(
      Path procNet, Set<Integer> ownLocalPorts, int agentPort, int desiredTimeSeconds)
      throws IOException {
    return new Reader().read(procNet, ownLocalPorts, agentPort, desiredTimeSeconds);
  }

  /**
   * Reads the census every observation with one buffer kept between reads, so that an observation
   * does not leave 512 KiB of garbage every probe interval. Not thread-safe: the agent has one
   * observe thread.
   */
  static final class Reader {
    private byte[] buffer = new byte[256 * 1024];

    /** A missing tcp6 (IPv6 disabled) counts as empty. */
    SocketCensus read(
        Path procNet, Set<Integer> ownLocalPorts, int agentPort, int desiredTimeSeconds)
        throws IOException {
      return parse(
              readIfPresent(procNet.resolve("tcp")), ownLocalPorts, agentPort, desiredTimeSeconds)
          .plus(
              parse(
                  readIfPresent(procNet.resolve("tcp6")),
                  ownLocalPorts,
                  agentPort,
                  desiredTimeSeconds));
    }

    /**
     * Reads a /proc/net file with as few read() calls as possible. Every read that starts a pass
     * makes the kernel walk the node-wide TCP hash table (all network namespaces share it; 262144
     * buckets on a 24 GiB machine, several ms). seq_file fills the whole buffer unless the table
     * ends, so a short read is the end: no extra read for EOF, which would cost another walk.
     */
    private String readIfPresent(Path file) throws IOException {
      try (InputStream in = Files.newInputStream(file)) {
        int length = 0;
        while (true) {
          int n = in.read(buffer, length, buffer.length - length);
          if (n <= 0) {
            break;
          }
          length += n;
          if (length < buffer.length) {
            break; // short read: seq_file reached the end of the table
          }
          buffer =
              Arrays.copyOf(buffer, buffer.length * 2); // kept: the table will be this big again
        }
        return new String(buffer, 0, length, StandardCharsets.US_ASCII);
      } catch (NoSuchFileException e) {
        return "";
      }
    }
  }

  /** The counts of both, as for one file holding the lines of the two. */
  SocketCensus plus(SocketCensus other) {
    return new SocketCensus(
        established + other.established,
        keepaliveArmed + other.keepaliveArmed,
        keepaliveOff + other.keepaliveOff,
        timeWait + other.timeWait,
        closeWait + other.closeWait,
        excludedOwn + other.excludedOwn,
        keepaliveOldTiming + other.keepaliveOldTiming,
        Math.max(oldTimingLongestSeconds, other.oldTimingLongestSeconds));
  }

  /**
   * Pure: counts the lines of /proc/net/tcp or tcp6 text (header lines and blank lines are
   * skipped).
   *
   * @param desiredTimeSeconds the policy's tcp_keepalive_time: a keepalive timer with more left is
   *     old timing (a second of slack for the tick rounding)
   */
  public static SocketCensus parse(
      String procNetTcp, Set<Integer> ownLocalPorts, int agentPort, int desiredTimeSeconds) {
    int established = 0, armed = 0, timeWait = 0, closeWait = 0, own = 0;
    int oldTiming = 0, oldTimingLongest = 0;
    for (String line : procNetTcp.split("\n")) {
      String[] f = WHITESPACE.split(line.trim());
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when ...
      if (f.length < 6 || !f[0].endsWith(":") || f[0].equals("sl")) {
        continue;
      }
      int st;
      int tr;
      long whenTicks;
      int localPort;
      int remotePort;
      try {
        st = Integer.parseInt(f[3], 16);
        tr = Integer.parseInt(f[5].substring(0, f[5].indexOf(':')), 16);
        whenTicks = Long.parseLong(f[5].substring(f[5].indexOf(':') + 1), 16);
        localPort = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
        remotePort = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
      } catch (RuntimeException e) {
        continue; // a line we do not understand says nothing about the workload
      }
      if (ownLocalPorts.contains(localPort) || localPort == agentPort || remotePort == agentPort) {
        own++;
        continue;
      }
      switch (st) {
        case ST_ESTABLISHED -> {
          established++;
          if (tr == TIMER_KEEPALIVE) {
            armed++;
            long left = whenTicks / TICKS_PER_SECOND;
            if (left > desiredTimeSeconds + 1L) {
              oldTiming++;
              oldTimingLongest =
                  (int) Math.max(oldTimingLongest, Math.min(left, Integer.MAX_VALUE));
            }
          }
        }
        case ST_TIME_WAIT -> timeWait++;
        case ST_CLOSE_WAIT -> closeWait++;
        default -> {}
      }
    }
    return new SocketCensus(
        established,
        armed,
        established - armed,
        timeWait,
        closeWait,
        own,
        oldTiming,
        oldTimingLongest);
  }
}
