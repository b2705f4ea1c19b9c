package io.keepalive.netns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NAT that forgets idle flows, built from three namespaces:
 *
 * <pre>
 *   client 10.231.1.2 --veth-- 10.231.1.1 router 10.231.2.1 --veth-- 10.231.2.2 server (nginx, keepalive 300 s)
 * </pre>
 *
 * The router masquerades, forgets established flows after {@value #CONNTRACK_TIMEOUT} s idle,
 * treats packets of a forgotten flow as invalid (nf_conntrack_tcp_loose=0) and drops them: exactly
 * a cloud NAT gateway, shorter. With kernel default sysctls the canary is lost on the path; with a
 * keepalive time below the NAT timeout it survives.
 */
class NatLabNetnsTest {
  static final int CONNTRACK_TIMEOUT = 10;
  static final int CANARY_IDLE = 15;
  static final String TARGET = "http://10.231.2.2:8080/";
  static Netns client;
  static Netns router;
  static Netns server;
  @TempDir static Path dir;

  @BeforeAll
  static void lab() throws Exception {
    Netns.requireTools("ip", "nft", "nginx", "curl", "sysctl");
    client = Netns.create("nat-client");
    router = Netns.create("nat-router");
    server = Netns.create("nat-server");
    String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
    String c0 = "kc" + suffix, r0 = "kr" + suffix, r1 = "ks" + suffix, s0 = "kt" + suffix;
    Netns.ok(
        Netns.run(
            Duration.ofSeconds(10),
            "ip",
            "link",
            "add",
            c0,
            "netns",
            client.name,
            "type",
            "veth",
            "peer",
            "name",
            r0,
            "netns",
            router.name));
    Netns.ok(
        Netns.run(
            Duration.ofSeconds(10),
            "ip",
            "link",
            "add",
            r1,
            "netns",
            router.name,
            "type",
            "veth",
            "peer",
            "name",
            s0,
            "netns",
            server.name));
    client.ok("ip", "addr", "add", "10.231.1.2/24", "dev", c0);
    client.ok("ip", "link", "set", c0, "up");
    client.ok("ip", "route", "add", "default", "via", "10.231.1.1");
    router.ok("ip", "addr", "add", "10.231.1.1/24", "dev", r0);
    router.ok("ip", "addr", "add", "10.231.2.1/24", "dev", r1);
    router.ok("ip", "link", "set", r0, "up");
    router.ok("ip", "link", "set", r1, "up");
    server.ok("ip", "addr", "add", "10.231.2.2/24", "dev", s0);
    server.ok("ip", "link", "set", s0, "up");

    Path rules = dir.resolve("nat.nft");
    Files.writeString(
        rules,
        """
                table ip keepalive_lab {
                    chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "%s" masquerade
                    }
                    chain forward {
                        type filter hook forward priority filter; policy accept;
                        ct state invalid drop
                    }
                }
                """
            .formatted(r1));
    router.ok("nft", "-f", rules.toString());
    router.ok("sysctl", "-w", "net.ipv4.ip_forward=1");
    // conntrack sysctls exist per netns once conntrack is in use there (the ruleset above)
    router.ok(
        "sysctl", "-w", "net.netfilter.nf_conntrack_tcp_timeout_established=" + CONNTRACK_TIMEOUT);
    router.ok("sysctl", "-w", "net.netfilter.nf_conntrack_tcp_loose=0");

    Servers.nginx(server, dir, "10.231.2.2", 8080, 300);
    Netns.ok(client.exec("curl", "-sS", "--max-time", "5", TARGET)); // the path works
  }

  @AfterAll
  static void cleanup() {
    Netns.closeAll(client, router, server);
  }

  JsonObject firstCanary(AgentProcess agent) {
    try {
      return await()
          .atMost(Duration.ofSeconds(CANARY_IDLE + 40))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> agent.target(TARGET).getJsonObject("canary"),
              c -> !c.getString("state").equals("Pending"));
    } finally {
      System.out.println("agent log:\n" + agent.log());
    }
  }

  @Test
  void canaryIsLostWithKernelDefaultsAndSurvivesWithShortKeepalive() throws Exception {
    Map<String, String> env =
        Map.of(
            "KEEPALIVE_POLICY", "nat-lab",
            "KEEPALIVE_DESIRED_TIME_SECONDS", "3",
            "KEEPALIVE_DESIRED_INTERVAL_SECONDS", "2",
            "KEEPALIVE_DESIRED_PROBES", "3",
            "KEEPALIVE_PROBE_INTERVAL_SECONDS", "5",
            "KEEPALIVE_CANARY_IDLE_SECONDS", Integer.toString(CANARY_IDLE),
            "KEEPALIVE_HTTP_TARGETS", "[{\"url\":\"" + TARGET + "\"}]");

    // 1. kernel defaults (7200 s): the first keepalive probe would leave long after the NAT forgot
    // the flow
    assertEquals("7200", client.readSysctl("tcp_keepalive_time"));
    AgentProcess before = AgentProcess.start(client, dir, env);
    JsonObject lost = firstCanary(before);
    assertEquals("LostOnPath", lost.getString("state"), lost.encode());
    JsonObject status = before.status();
    assertEquals(false, status.getJsonObject("sysctls").getBoolean("inSync"));
    Netns.assertContains(status.getJsonArray("findings").getString(0), "lost on the path");
    before.stop();

    // 2. the init container's job, then the same agent again
    Netns.Result applied =
        client.exec(
            Netns.app("apply-sysctls", "--time=3", "--interval=2", "--probes=3")
                .toArray(String[]::new));
    assertEquals(0, applied.exit(), applied.toString());
    AgentProcess after = AgentProcess.start(client, dir, env);
    JsonObject survived = firstCanary(after);
    assertEquals("Survived", survived.getString("state"), survived.encode());
    assertEquals(true, after.status().getJsonObject("sysctls").getBoolean("inSync"));
    after.stop();
  }
}
