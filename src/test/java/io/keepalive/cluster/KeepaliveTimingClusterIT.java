package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.Policies;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections armed before the keepalive time was lowered keep the old timing, seen from the
 * policy: a pooled client's connections are armed while its pod's network namespace says 7200 s
 * (set from the host, then its server restarted so that the client reconnects), the namespace goes
 * back to the policy's 300 s, and the policy's status counts exactly the connections `ss -o` shows
 * with more than 300 s left, with the finding and the recommendation to restart.
 */
@ExtendWith(LocalCluster.class)
class KeepaliveTimingClusterIT {
  static final int POOL = 3;
  private static final Pattern KEEPALIVE_TIMER = Pattern.compile("timer:\\(keepalive,(\\d+)min");
  private static String ns;

  @BeforeAll
  static void clientAndServer() {
    ns = Workloads.namespace("timing", "restricted");
    Workloads.apply(Workloads.nginx(ns, "inventory", 300));
    Workloads.awaitRollout(ns, "inventory");
    String server = Workloads.clusterIp(ns, "inventory");
    Workloads.policy(
        ns, "timing", "timing", "300/15/4", "Auto", "agent: {probeIntervalSeconds: 5}");
    Workloads.apply(Workloads.pooledClient(ns, "client", "timing", server, POOL, true));
    Workloads.awaitRollout(ns, "client");
  }

  @AfterAll
  static void cleanUp() {
    Workloads.deleteNamespace(ns);
  }

  @Test
  void connectionsArmedUnderALongerTimeAreCountedOnThePolicy() {
    Pod client = Workloads.runningPods(ns, "client", 1).get(0);
    LocalCluster.inNetworkOf(client, "sysctl", "-w", "net.ipv4.tcp_keepalive_time=7200");
    // the server restarts: the client's pooled connections end, and it opens new ones under 7200 s
    LocalCluster.kubectl("rollout", "restart", "-n", ns, "deployment/inventory");
    Workloads.awaitRollout(ns, "inventory");
    Awaitility.await()
        .atMost(Workloads.READY_WITHIN)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                minutesLeft(client).size() == POOL
                    && minutesLeft(client).stream().allMatch(m -> m > 100));
    LocalCluster.inNetworkOf(client, "sysctl", "-w", "net.ipv4.tcp_keepalive_time=300");

    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        "timing",
        Workloads.READY_WITHIN,
        policy -> {
          assertNotNull(policy.getStatus().getObserved(), "no agent has reported yet");
          assertEquals(1, policy.getStatus().getObserved().getPodsInSync(), "in force again");
          assertEquals(POOL, policy.getStatus().getObserved().getConnectionsOnOldTiming());
        });
    // still the same connections, seen from outside: more than 300 s left on each
    List<Integer> left = minutesLeft(client);
    assertEquals(POOL, left.size(), left.toString());
    assertTrue(left.stream().allMatch(m -> m > 100), left.toString());

    KeepalivePolicy policy =
        LocalCluster.client()
            .resources(KeepalivePolicy.class)
            .inNamespace(ns)
            .withName("timing")
            .get();
    assertTrue(
        policy.getStatus().getObserved().getFindings().stream()
            .anyMatch(
                f ->
                    f.startsWith(
                        POOL
                            + " of "
                            + POOL
                            + " connections with keepalive keep the timing they were armed with")),
        policy.getStatus().getObserved().getFindings().toString());
    assertTrue(
        policy
            .getStatus()
            .getRecommendations()
            .contains(
                "restart the workloads, or make them reconnect: "
                    + POOL
                    + " connection(s) keep the keepalive timing they were armed with, longer than"
                    + " tcp.timeSeconds 300"),
        String.valueOf(policy.getStatus().getRecommendations()));
  }

  /** Minutes left on each keepalive timer `ss -o` shows in the pod, the agent's port left out. */
  private static List<Integer> minutesLeft(Pod pod) {
    return LocalCluster.inNetworkOf(pod, "ss", "-Htno", "state", "established")
        .lines()
        .filter(line -> !line.contains(":9901 "))
        .map(KEEPALIVE_TIMER::matcher)
        .filter(Matcher::find)
        .map(m -> Integer.parseInt(m.group(1)))
        .toList();
  }
}
