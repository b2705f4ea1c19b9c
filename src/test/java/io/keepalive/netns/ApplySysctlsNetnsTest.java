package io.keepalive.netns;

import static io.keepalive.netns.Netns.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * apply-sysctls on a real kernel: its own netns only, nothing on bad arguments, a clear line on
 * read-only.
 */
class ApplySysctlsNetnsTest {
  static Netns ns;
  static final List<String> FILES =
      List.of("tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes");

  @BeforeAll
  static void namespace() {
    Netns.requireTools("ip", "unshare", "mount", "cat");
    ns = Netns.create("apply");
  }

  @AfterAll
  static void cleanup() {
    Netns.closeAll(ns);
  }

  static List<String> hostValues() {
    List<String> values = new ArrayList<>();
    for (String f : FILES) {
      // `cat`, not Files.readString: the kernel answers a read at a non-zero offset of a sysctl
      // file with
      // EOF, so a Java read loop can return only the first buffer's worth ("7" of "7200"). Through
      // Netns.run,
      // so a failing or hanging cat fails the test instead of reading as "" or stalling it.
      values.add(
          Netns.ok(Netns.run(Duration.ofSeconds(10), "cat", "/proc/sys/net/ipv4/" + f))
              .stdout()
              .trim());
    }
    return values;
  }

  List<String> nsValues() {
    return FILES.stream().map(ns::readSysctl).toList();
  }

  @Test
  void setsItsOwnNamespaceAndLeavesTheHostAlone() {
    List<String> host = hostValues();
    assertEquals(List.of("7200", "75", "9"), nsValues(), "a new netns starts from kernel defaults");
    // values the host is unlikely to have, so a leak would show
    Netns.Result r =
        ns.exec(
            Netns.app("apply-sysctls", "--time=123", "--interval=17", "--probes=4")
                .toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    assertEquals(1, r.stdout().lines().count(), r.stdout());
    assertContains(
        r.stdout(), "tcp_keepalive_time=123 tcp_keepalive_intvl=17 tcp_keepalive_probes=4");
    assertEquals(List.of("123", "17", "4"), nsValues());
    assertEquals(host, hostValues(), "the host's sysctls must not change");
    System.out.println(
        "apply-sysctls wall time incl. JVM start (ip netns exec, test classpath): "
            + r.took().toMillis()
            + " ms");
  }

  @Test
  void outOfRangeExits2AndChangesNothing() {
    List<String> before = nsValues();
    Netns.Result r =
        ns.exec(Netns.app("apply-sysctls", "--time=60", "--probes=200").toArray(String[]::new));
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertContains(r.stderr(), "--probes=200 is out of range; valid range 1..127");
    assertEquals(before, nsValues());
  }

  @Test
  void readOnlyProcSysExits1WithOneLine() {
    List<String> before = nsValues();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec \"$@\"",
                "sh"));
    cmd.addAll(Netns.app("apply-sysctls", "--time=61"));
    Netns.Result r = ns.exec(cmd.toArray(String[]::new));
    assertEquals(1, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertContains(r.stderr(), "/proc/sys/net/ipv4/tcp_keepalive_time");
    assertContains(r.stderr(), "Read-only file system");
    assertContains(r.stderr(), "privileged");
    assertContains(r.stderr(), "SecurityContext");
    assertEquals(before, nsValues());
  }
}
