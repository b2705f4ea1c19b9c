package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.status.ObservedTarget;
import io.keepalive.testing.Policies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idle-timeout discovery end to end on the real cluster: the policy asks for it, the webhook gives
 * the injected agents the idle times, the agents measure through Services, and the operator writes
 * the bracket, the finding and the recommendations on the policy. The path to one nginx forgets
 * idle connections after {@value #PATH_TIMEOUT} s: a stateful firewall in the nginx pod's own
 * network namespace (conntrack with that timeout, packets of a forgotten flow dropped), set up from
 * the host with nsenter before any client exists. Another nginx closes idle connections itself
 * after 2 s: not mistaken for the path, and the client idle timeout it needs is recommended.
 */
@ExtendWith(LocalCluster.class)
class DiscoveryClusterIT {
  static final int PATH_TIMEOUT = 8;
  private static String ns;
  private static String far;
  private static String closer;

  @BeforeAll
  static void serversAndThePath() throws IOException {
    ns = Workloads.namespace("discovery", "restricted");
    Workloads.apply(Workloads.nginx(ns, "far", 300));
    Workloads.apply(Workloads.nginx(ns, "closer", 2));
    Workloads.awaitRollout(ns, "far");
    Workloads.awaitRollout(ns, "closer");
    far = "http://" + Workloads.clusterIp(ns, "far") + "/";
    closer = "http://" + Workloads.clusterIp(ns, "closer") + "/";

    Pod nginx = Workloads.runningPods(ns, "far", 1).get(0);
    Path rules = Files.createTempFile("keepalive-path", ".nft");
    try {
      Files.writeString(
          rules,
          """
          table inet keepalive_path {
              chain in {
                  type filter hook input priority filter; policy accept;
                  tcp dport 8080 ct state invalid drop
              }
              chain out {
                  type filter hook output priority filter; policy accept;
                  tcp sport 8080 ct state invalid drop
              }
          }
          """);
      LocalCluster.inNetworkOf(nginx, "nft", "-f", rules.toString());
    } finally {
      Files.deleteIfExists(rules);
    }
    LocalCluster.inNetworkOf(
        nginx,
        "sysctl",
        "-w",
        "net.netfilter.nf_conntrack_tcp_timeout_established=" + PATH_TIMEOUT);
    LocalCluster.inNetworkOf(nginx, "sysctl", "-w", "net.netfilter.nf_conntrack_tcp_loose=0");

    Workloads.policy(
        ns,
        "discover",
        "probe",
        "300/15/4",
        "Auto",
        """
        agent: {probeIntervalSeconds: 5}
        http:
          targets:
            - url: %s
            - url: %s
              clientIdleTimeoutSeconds: 60
        discovery: {idleSeconds: [3, 15]}
        """
            .formatted(far, closer));
    Workloads.apply(Workloads.sleepers(ns, "probe", "probe", 1));
    Workloads.awaitRollout(ns, "probe");
  }

  @AfterAll
  static void cleanUp() {
    Workloads.deleteNamespace(ns);
  }

  @Test
  void theBracketTheFindingAndTheRecommendationsAreOnThePolicy() {
    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        "discover",
        Workloads.READY_WITHIN,
        policy -> {
          ObservedTarget path = target(policy, far);
          assertEquals(3, path.getPathSurvivedSeconds(), path.getPathDiscovery());
          assertEquals(15, path.getPathLostSeconds(), path.getPathDiscovery());
          ObservedTarget server = target(policy, closer);
          assertNotNull(server.getPathDiscovery(), "no discovery round yet");
          assertNotNull(server.getServerIdleTimeoutSeconds(), "not measured yet");
        });
    KeepalivePolicy policy =
        LocalCluster.client()
            .resources(KeepalivePolicy.class)
            .inNamespace(ns)
            .withName("discover")
            .get();
    ObservedTarget path = target(policy, far);
    assertEquals(
        "the path forgets an idle connection after more than 3 s and at most 15 s",
        path.getPathDiscovery());

    // the server that closes idle connections itself is not the path
    ObservedTarget server = target(policy, closer);
    assertNull(server.getPathLostSeconds(), server.getPathDiscovery());
    assertTrue(
        server.getPathDiscovery().startsWith("the server closes idle connections before the path"),
        server.getPathDiscovery());
    assertTrue(
        server.getServerIdleTimeoutSeconds() >= 1.5 && server.getServerIdleTimeoutSeconds() <= 4,
        "nginx closes after 2 s: " + server.getServerIdleTimeoutSeconds());

    List<String> findings = policy.getStatus().getObserved().getFindings();
    assertTrue(
        findings
            .get(0)
            .startsWith(far + ": tcp.timeSeconds 300 is at or above the path's idle timeout"),
        findings.toString());
    assertEquals(
        "True", policy.getStatus().condition("Drifted").getStatus(), "the finding drifts it");
    List<String> recommendations = policy.getStatus().getRecommendations();
    assertTrue(
        recommendations.get(0).startsWith("tcp.timeSeconds: 2 (idle connections survived 3 s"),
        recommendations.toString());
    assertTrue(
        recommendations.contains(
            "tcp.pathIdleTimeoutSeconds: 15 (the shortest idle time after which the path forgot a"
                + " connection; every path kept one 3 s; now not set)"),
        recommendations.toString());
    assertTrue(
        recommendations.stream()
            .anyMatch(
                r -> r.startsWith("http.targets[" + closer + "].clientIdleTimeoutSeconds: 1 ")),
        recommendations.toString());
  }

  private static ObservedTarget target(KeepalivePolicy policy, String url) {
    var observed = policy.getStatus().getObserved();
    assertNotNull(observed, "no agent has reported yet");
    assertNotNull(observed.getTargets(), "no targets reported yet");
    return observed.getTargets().stream()
        .filter(t -> t.getUrl().equals(url))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no target " + url + " in " + observed.getTargets()));
  }
}
