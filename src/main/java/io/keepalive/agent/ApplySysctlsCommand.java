package io.keepalive.agent;

import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.Modes;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The privileged init container: {@code apply-sysctls --time=S --interval=S --probes=N} (any
 * non-empty subset) writes the keepalive sysctls of its own network namespace, reads them back and
 * prints them.
 *
 * <p>Exit codes: 0 written and read back; 2 bad arguments (nothing written); 1 a value could not be
 * written or did not stick (message names the file, the cause and what to do).
 */
public final class ApplySysctlsCommand {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  private static final String NAME = Modes.APPLY_SYSCTLS;

  private ApplySysctlsCommand() {}

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, new KeepaliveSysctls());
  }

  static int run(String[] args, PrintStream out, PrintStream err, KeepaliveSysctls sysctls) {
    Arguments parsed = parse(args);
    if (parsed.error() != null) {
      err.println(NAME + ": " + parsed.error());
      return USAGE;
    }
    try {
      sysctls.write(parsed.values());
      KeepaliveValues inForce = sysctls.read();
      for (Map.Entry<KeepaliveSysctl, Integer> e : parsed.values().entrySet()) {
        if (inForce.get(e.getKey()) != e.getValue()) {
          // Should not happen for in-range values; if it does, the pod must not start believing it
          // worked.
          err.println(
              NAME
                  + ": wrote "
                  + e.getKey().fileName()
                  + "="
                  + e.getValue()
                  + " to "
                  + sysctls.file(e.getKey())
                  + " but it reads back "
                  + inForce.get(e.getKey())
                  + "; the kernel did not accept it");
          return FAILED;
        }
      }
      out.println(NAME + ": in force in this network namespace: " + inForce.describe());
      return OK;
    } catch (KeepaliveSysctls.SysctlException e) {
      err.println(NAME + ": " + e.getMessage());
      return FAILED;
    }
  }

  /**
   * Either values to write (non-empty) or an error line naming the argument and its valid range.
   */
  record Arguments(Map<KeepaliveSysctl, Integer> values, String error) {
    static Arguments error(String message) {
      return new Arguments(Map.of(), message);
    }
  }

  /** Built from the sysctls, so that it shows the very options and ranges that parse() checks. */
  static final String SYNOPSIS =
      NAME
          + " "
          + Arrays.stream(KeepaliveSysctl.values())
              .map(s -> "[" + s.option() + "=" + s.range() + "]")
              .collect(Collectors.joining(" "));

  /** Pure: validates everything before anything is written. */
  static Arguments parse(String[] args) {
    Map<KeepaliveSysctl, Integer> values = new EnumMap<>(KeepaliveSysctl.class);
    for (String arg : args) {
      KeepaliveSysctl sysctl = null;
      for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
        if (arg.startsWith(s.option() + "=")) {
          sysctl = s;
        }
      }
      if (sysctl == null) {
        return Arguments.error("unknown argument '" + arg + "'; usage: " + SYNOPSIS);
      }
      String text = arg.substring(sysctl.option().length() + 1).trim();
      long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        return Arguments.error(
            sysctl.option()
                + "="
                + text
                + " is not a whole number; valid range "
                + sysctl.range()
                + " ("
                + sysctl.fileName()
                + ")");
      }
      if (!sysctl.accepts(value)) {
        return Arguments.error(
            sysctl.option()
                + "="
                + text
                + " is out of range; valid range "
                + sysctl.range()
                + " ("
                + sysctl.fileName()
                + ")");
      }
      if (values.containsKey(sysctl)) {
        return Arguments.error(sysctl.option() + " given twice");
      }
      values.put(sysctl, (int) value);
    }
    if (values.isEmpty()) {
      // An init container with nothing to do is a broken injection, not a success.
      return Arguments.error("nothing to apply; usage: " + SYNOPSIS + " (at least one)");
    }
    return new Arguments(values, null);
  }
}
