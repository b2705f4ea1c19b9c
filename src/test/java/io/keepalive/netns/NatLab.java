package io.keepalive.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A NAT that forgets idle flows, built from three namespaces:
 *
 * <pre>
 *   client 10.231.1.2 --veth-- 10.231.1.1 router 10.231.2.1 --veth-- 10.231.2.2 server
 * </pre>
 *
 * The router masquerades, forgets established flows after the given conntrack timeout, treats
 * packets of a forgotten flow as invalid (nf_conntrack_tcp_loose=0) and drops them: exactly a cloud
 * NAT gateway, shorter. Every lab has its own three namespaces, so labs with the same addresses run
 * side by side.
 */
final class NatLab implements AutoCloseable {
  static final String SERVER = "10.231.2.2";
  private static final AtomicInteger LABS = new AtomicInteger();

  final Netns client;
  final Netns router;
  final Netns server;

  private NatLab(Netns client, Netns router, Netns server) {
    this.client = client;
    this.router = router;
    this.server = server;
  }

  static NatLab create(int conntrackTimeoutSeconds, Path dir) throws Exception {
    Netns.requireTools("ip", "nft", "nginx", "curl", "sysctl");
    Netns client = Netns.create("nat-client");
    Netns router = Netns.create("nat-router");
    Netns server = Netns.create("nat-server");
    NatLab lab = new NatLab(client, router, server);
    try {
      lab.wire(conntrackTimeoutSeconds, dir);
    } catch (Exception | AssertionError e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void wire(int conntrackTimeoutSeconds, Path dir) throws Exception {
    String suffix = (ProcessHandle.current().pid() % 10000) + "x" + LABS.incrementAndGet();
    String c0 = "kc" + suffix, r0 = "kr" + suffix, r1 = "ks" + suffix, s0 = "kt" + suffix;
    veth(c0, client, r0, router);
    veth(r1, router, s0, server);
    client.ok("ip", "addr", "add", "10.231.1.2/24", "dev", c0);
    client.ok("ip", "link", "set", c0, "up");
    client.ok("ip", "route", "add", "default", "via", "10.231.1.1");
    router.ok("ip", "addr", "add", "10.231.1.1/24", "dev", r0);
    router.ok("ip", "addr", "add", "10.231.2.1/24", "dev", r1);
    router.ok("ip", "link", "set", r0, "up");
    router.ok("ip", "link", "set", r1, "up");
    server.ok("ip", "addr", "add", SERVER + "/24", "dev", s0);
    server.ok("ip", "link", "set", s0, "up");

    Path rules = Files.createTempFile(dir, "nat", ".nft");
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
        "sysctl",
        "-w",
        "net.netfilter.nf_conntrack_tcp_timeout_established=" + conntrackTimeoutSeconds);
    router.ok("sysctl", "-w", "net.netfilter.nf_conntrack_tcp_loose=0");
  }

  private static void veth(String a, Netns in, String b, Netns peerIn) {
    Netns.ok(
        Netns.run(
            Duration.ofSeconds(10),
            "ip",
            "link",
            "add",
            a,
            "netns",
            in.name,
            "type",
            "veth",
            "peer",
            "name",
            b,
            "netns",
            peerIn.name));
  }

  /** nginx on the server side, closing idle keep-alive connections after the given time. */
  String nginx(Path dir, int port, int keepaliveTimeoutSeconds) throws Exception {
    Servers.nginx(server, dir, SERVER, port, keepaliveTimeoutSeconds);
    String url = "http://" + SERVER + ":" + port + "/";
    Netns.ok(client.exec("curl", "-sS", "--max-time", "5", url)); // the path works
    return url;
  }

  @Override
  public void close() {
    Netns.closeAll(client, router, server);
  }
}
