package io.keepalive.netns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.AgentConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lowering tcp_keepalive_time in a namespace does not move a keepalive timer already armed: the
 * connections opened before keep about 120 min before their first probe, the ones opened after use
 * the new value at once. `ss -o` shows it; the agent's census counts the old ones from the timer
 * column of /proc/net/tcp and says they keep the old timing.
 */
class KeepaliveTimingNetnsTest {
  static Netns ns;
  private static final Pattern KEEPALIVE_TIMER = Pattern.compile("timer:\\(keepalive,([^,]+),");

  @BeforeAll
  static void namespace() {
    Netns.requireTools("ip", "ss", "curl");
    ns = Netns.create("timing");
  }

  @AfterAll
  static void cleanup() {
    Netns.closeAll(ns);
  }

  @Test
  void connectionsArmedBeforeTheSysctlChangedKeepTheOldTiming(@TempDir Path dir) throws Exception {
    assertEquals("7200", ns.readSysctl("tcp_keepalive_time"));
    holdConnections(dir, "before", 2); // armed under 7200 s

    Netns.Result applied = ns.exec(Netns.app("apply-sysctls", "--time=60").toArray(String[]::new));
    assertEquals(0, applied.exit(), applied.toString());
    holdConnections(dir, "after", 1); // armed under 60 s

    List<String> timers = keepaliveTimers();
    assertEquals(3, timers.size(), timers.toString());
    assertEquals(
        2,
        timers.stream().filter(t -> t.endsWith("min") && minutes(t) > 100).count(),
        timers.toString());
    assertEquals(
        1,
        timers.stream().filter(t -> t.endsWith("sec") || t.equals("1min")).count(),
        timers.toString());

    AgentProcess agent =
        AgentProcess.start(
            ns,
            dir,
            Map.of(
                AgentConfig.ENV_TIME, "60",
                AgentConfig.ENV_PROBE_INTERVAL, "1"));
    try {
      JsonObject census =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () -> agent.status().getJsonObject("census"),
                  c -> c.getInteger("keepaliveArmed") == 3);
      assertEquals(6, census.getInteger("established"), census.encode());
      assertEquals(2, census.getInteger("keepaliveOldTiming"), census.encode());
      assertTrue(census.getInteger("oldTimingLongestSeconds") > 7000, census.encode());
      JsonObject status = agent.status();
      assertTrue(status.getJsonObject("sysctls").getBoolean("inSync"), status.encodePrettily());
      Netns.assertContains(
          status.getJsonArray("findings").getString(0),
          "2 of 3 connections with keepalive keep the timing they were armed with");
    } finally {
      AgentProcess.printLog(agent);
      agent.stop();
    }
  }

  /** A SocketHolder with {@code keepalive} loopback connections armed (and their accepted ends). */
  private static void holdConnections(Path dir, String name, int keepalive) throws Exception {
    Path log = dir.resolve(name + ".log");
    List<String> holder = Netns.app();
    holder.set(holder.size() - 1, SocketHolder.class.getName());
    holder.addAll(List.of(Integer.toString(keepalive), "0"));
    ns.start(holder, Map.of(), log);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("ready"));
  }

  /** The keepalive timers `ss -o` shows, e.g. "119min" or "59sec". */
  private static List<String> keepaliveTimers() {
    return ns.ok("ss", "-tnoH", "state", "established")
        .stdout()
        .lines()
        .map(KEEPALIVE_TIMER::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .toList();
  }

  private static int minutes(String timer) {
    return Integer.parseInt(timer.replace("min", ""));
  }
}
