package io.keepalive.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.testing.Processes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace the test owns, named uniquely per JVM run (prefix + PID + counter) so that
 * parallel or leftover runs never collide. Everything started in it is killed by {@link #close()},
 * which also deletes it. Real-kernel tier: needs root and the Debian packages of hack/prereqs.sh;
 * missing ones FAIL, they never skip.
 */
final class Netns implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  static final String PREFIX = "kat";

  final String name;
  private final List<Process> processes = new ArrayList<>();

  private Netns(String name) {
    this.name = name;
  }

  /** Fails (never skips) when the tier cannot run here, naming what is missing. */
  static void requireTools(String... tools) {
    assertEquals(
        "root",
        System.getProperty("user.name"),
        "the netns tier creates network namespaces and must run as root (CI runs it as root)");
    for (String tool : tools) {
      Result r = run(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool);
      assertEquals(
          0,
          r.exit(),
          tool
              + " is missing: run hack/prereqs.sh (Debian packages iproute2 nftables "
              + "conntrack nginx-light gunicorn python3 procps curl util-linux mount)");
    }
  }

  static Netns create(String role) {
    String name =
        PREFIX + "-" + role + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    ok(run(Duration.ofSeconds(10), "ip", "netns", "add", name));
    Netns ns = new Netns(name);
    ns.ok("ip", "link", "set", "lo", "up");
    return ns;
  }

  /** Runs a command inside the namespace and waits for it. */
  Result exec(String... command) {
    return run(Duration.ofSeconds(60), inside(List.of(command)).toArray(String[]::new));
  }

  Result ok(String... command) {
    return ok(exec(command));
  }

  List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return full;
  }

  /** Starts a long-running process inside the namespace; output goes to {@code log}. */
  Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(inside(command)).redirectErrorStream(true).redirectOutput(log.toFile());
    env.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  String readSysctl(String file) {
    return ok("cat", "/proc/sys/net/ipv4/" + file).stdout().trim();
  }

  /** GETs a URL with curl inside the namespace. */
  String curl(String url) {
    return ok("curl", "-sS", "--max-time", "10", url).stdout();
  }

  JsonObject status(int port) {
    return new JsonObject(curl("http://127.0.0.1:" + port + "/status"));
  }

  /**
   * Deletes the namespaces that were created (null-safe), with what runs inside them and their veth
   * ends.
   */
  static void closeAll(Netns... namespaces) {
    for (Netns ns : namespaces) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    // anything else still in the namespace was started by this test through it
    Result pids = run(Duration.ofSeconds(10), "ip", "netns", "pids", name);
    for (String pid : pids.stdout().split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    run(Duration.ofSeconds(10), "ip", "netns", "del", name);
  }

  record Result(int exit, String stdout, String stderr, Duration took) {}

  static Result ok(Result r) {
    assertEquals(0, r.exit(), "command failed: " + r);
    return r;
  }

  /**
   * Runs a command (outside any namespace) and waits for it; a timeout kills it and fails naming
   * it.
   */
  static Result run(Duration timeout, String... command) {
    Processes.Result r = Processes.run(timeout, List.of(command));
    return new Result(r.exit(), r.stdout(), r.stderr(), r.took());
  }

  /**
   * The real application entry point (io.keepalive.Main), on the test classpath, as its own JVM.
   */
  static List<String> app(String... args) {
    return Processes.app(args);
  }

  static void assertContains(String haystack, String needle) {
    assertTrue(haystack.contains(needle), "expected '" + needle + "' in:\n" + haystack);
  }
}
