package io.keepalive.agent;

import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reads and writes the keepalive sysctls of the calling process's network namespace through
 * /proc/sys. Every failure names the file and the cause, because the person reading the message
 * sits in front of a pod that would not start and needs to know which of the two strategies
 * (privileged init container or pod securityContext) to change.
 */
public final class KeepaliveSysctls {
  public static final Path PROC_SYS = Path.of("/proc/sys");

  private final Path ipv4;

  /** The real /proc/sys of this process's network namespace. */
  public KeepaliveSysctls() {
    this(PROC_SYS);
  }

  /** A different /proc/sys root, for tests. */
  KeepaliveSysctls(Path procSys) {
    this.ipv4 = procSys.resolve("net").resolve("ipv4");
  }

  public Path file(KeepaliveSysctl sysctl) {
    return ipv4.resolve(sysctl.fileName());
  }

  public KeepaliveValues read() throws SysctlException {
    Map<KeepaliveSysctl, Integer> values = new EnumMap<>(KeepaliveSysctl.class);
    for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
      values.put(s, read(s));
    }
    return KeepaliveValues.of(values::get);
  }

  public int read(KeepaliveSysctl sysctl) throws SysctlException {
    Path file = file(sysctl);
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      // One read from offset 0: proc_dointvec answers a read at a non-zero offset with EOF, so the
      // JDK's
      // size-0 strategy of Files.readString (read 1 byte, then the rest) would see "1" for "123".
      byte[] buffer = new byte[64];
      int n = in.read(buffer);
      text = new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new SysctlException(file, "cannot read", cause(e), hintFor(e, false));
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new SysctlException(
          file, "cannot read", "unexpected content '" + text + "'", "is this a Linux /proc/sys?");
    }
  }

  /**
   * Writes the given values in enum order; stops at the first failure (earlier ones stay written).
   */
  public void write(Map<KeepaliveSysctl, Integer> values) throws SysctlException {
    for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
      Integer value = values.get(s);
      if (value == null) {
        continue;
      }
      Path file = file(s);
      try {
        // WRITE without CREATE: a missing file means an old kernel or a wrong root, never "make
        // one".
        Files.writeString(
            file,
            value + "\n",
            StandardCharsets.US_ASCII,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        throw new SysctlException(file, "cannot write", cause(e), hintFor(e, true));
      }
    }
  }

  static String cause(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** What the operator of the cluster should do about it. */
  static String hintFor(IOException e, boolean writing) {
    if (e instanceof NoSuchFileException) {
      return "the node kernel must be Linux >= 4.5 for per-namespace keepalive sysctls";
    }
    if (writing) {
      return "/proc/sys is read-only in unprivileged containers: run this init container privileged, "
          + "or use the SecurityContext strategy (pod securityContext.sysctls, Kubernetes >= 1.29)";
    }
    return "check that /proc is mounted";
  }

  /** One-line failure: file, cause, and what to do. */
  public static final class SysctlException extends Exception {
    SysctlException(Path file, String action, String cause, String hint) {
      super(action + " " + file + ": " + cause + "; " + hint);
    }
  }
}
