package io.keepalive.netns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keepalive.agent.SocketCensus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The census against sockets opened with and without SO_KEEPALIVE, cross-checked with ss. */
class SocketCensusNetnsTest {
  static Netns ns;

  @BeforeAll
  static void namespace() {
    Netns.requireTools("ip", "ss", "curl");
    ns = Netns.create("census");
  }

  @AfterAll
  static void cleanup() {
    Netns.closeAll(ns);
  }

  @Test
  void countsKeepaliveArmedAndOffLikeSs(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("holder.log");
    List<String> holder = Netns.app();
    holder.set(holder.size() - 1, SocketHolder.class.getName());
    holder.addAll(List.of("3", "2"));
    Process p = ns.start(holder, Map.of(), log);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("ready"));

    // 5 client sockets (3 with SO_KEEPALIVE) + 5 accepted ones (none): 10 established, 3 armed
    SocketCensus census =
        SocketCensus.read(Path.of("/proc", Long.toString(p.pid()), "net"), Set.of(), 9901, 7200);
    assertEquals(10, census.established(), census.toString());
    assertEquals(3, census.keepaliveArmed(), census.toString());
    assertEquals(7, census.keepaliveOff(), census.toString());

    String ss = ns.ok("ss", "-tnoH", "state", "established").stdout();
    long ssEstablished = ss.lines().filter(l -> !l.isBlank()).count();
    long ssKeepalive = ss.lines().filter(l -> l.contains("timer:(keepalive")).count();
    assertEquals(ssEstablished, census.established(), ss);
    assertEquals(ssKeepalive, census.keepaliveArmed(), ss);

    // the same through the real agent's /status, which leaves its own server sockets out
    AgentProcess agent =
        AgentProcess.start(ns, dir, Map.of("KEEPALIVE_PROBE_INTERVAL_SECONDS", "1"));
    JsonObject c = agent.status().getJsonObject("census");
    assertEquals(10, c.getInteger("established"), c.encode());
    assertEquals(3, c.getInteger("keepaliveArmed"), c.encode());
    assertEquals(7, c.getInteger("keepaliveOff"), c.encode());
    Netns.assertContains(
        agent.status().getJsonArray("findings").encode(),
        "7 of 10 established connections have no keepalive timer");
  }
}
