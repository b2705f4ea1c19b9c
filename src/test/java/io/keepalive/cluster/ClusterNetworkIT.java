package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.testing.Processes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods reach Services and the API server, and nothing past this machine. "Past this machine" is
 * played by a network namespace on the host with a route back to the pods, so that only the
 * cluster's forwarding filter can stop the connection: the host itself reaches it (the control).
 */
@ExtendWith(LocalCluster.class)
class ClusterNetworkIT {
  private static final String OUTSIDE_IP = "10.250.77.2";

  @Test
  void podsReachServicesButNothingPastTheNode() {
    String ns = Workloads.namespace("network", "restricted");
    String outside = "ka-outside-" + ProcessHandle.current().pid();
    String hostEnd = "kaout" + (ProcessHandle.current().pid() % 100000);
    try {
      run("ip", "netns", "add", outside);
      run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", outside);
      run("ip", "addr", "add", "10.250.77.1/30", "dev", hostEnd);
      run("ip", "link", "set", hostEnd, "up");
      run("ip", "-n", outside, "addr", "add", OUTSIDE_IP + "/30", "dev", "eth0");
      run("ip", "-n", outside, "link", "set", "eth0", "up");
      run("ip", "-n", outside, "link", "set", "lo", "up");
      run("ip", "-n", outside, "route", "add", "default", "via", "10.250.77.1");
      Processes.run(
          Duration.ofSeconds(10),
          List.of(
              "ip",
              "netns",
              "exec",
              outside,
              "setsid",
              "-f",
              "busybox",
              "nc",
              "-ll",
              "-p",
              "8080",
              "-e",
              "echo",
              "hello-from-outside"),
          Map.of());
      // the control: from the host, the listener answers (once it listens)
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> connect(null, OUTSIDE_IP, 8080).equals("hello-from-outside"));

      Workloads.apply(Workloads.sleepers(ns, "probe", "probe", 1));
      Workloads.awaitRollout(ns, "probe");
      Pod pod = Workloads.runningPods(ns, "probe", 1).get(0);
      assertNotEquals(
          "failed", connect(pod, "10.96.0.1", 443), "the kubernetes Service from a pod");
      assertEquals("failed", connect(pod, OUTSIDE_IP, 8080), "a pod reached past the node");
    } finally {
      Workloads.deleteNamespace(ns);
      Processes.run(List.of("ip", "netns", "pids", outside))
          .stdout()
          .lines()
          .forEach(pid -> Processes.run(List.of("kill", "-9", pid.trim())));
      Processes.run(List.of("ip", "link", "del", hostEnd));
      Processes.run(List.of("ip", "netns", "del", outside));
    }
  }

  /**
   * What a TCP connection to ip:port reads within 3 s, from the host or a pod; "failed" if none.
   */
  private static String connect(Pod pod, String ip, int port) {
    List<String> nc = List.of("sh", "-c", "echo | nc -w 3 " + ip + " " + port + " || echo failed");
    if (pod == null) {
      return Processes.run(List.of("busybox", "sh", "-c", nc.get(2))).stdout().trim();
    }
    String out =
        LocalCluster.kubectl(
            "exec",
            "-n",
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            "--",
            nc.get(0),
            nc.get(1),
            nc.get(2));
    return out.isBlank() ? "connected" : out.trim();
  }

  private static void run(String... command) {
    Processes.run(List.of(command)).requireSuccess();
  }
}
