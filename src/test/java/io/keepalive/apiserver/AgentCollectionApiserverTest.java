package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.sidecar.AgentConfig;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Processes;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop with real parts: the operator, running against a real kube-apiserver, asks a real
 * agent process (the `agent` mode of our own jar) for its /status and writes what it observed on
 * the policy: agents answering, sysctls in sync or drifted, and an agent that goes silent.
 *
 * <p>The control plane has no kubelet, so the test plays its part: it stores the pod with the marks
 * and the agent container the webhook writes, then reports the pod Running at 127.0.0.1 through the
 * status subresource, where the agent listens on the port of the pod's agent container.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class AgentCollectionApiserverTest {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static KubernetesClient client;
  Process agent;

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @AfterEach
  void stopAgent() throws InterruptedException {
    stop(agent);
  }

  @Test
  void agentReportsReachThePolicyStatusAndDriftAndSilenceAreNamed() throws Exception {
    int[] host = hostKeepalive();
    // opted out, so the webhook leaves the hand-made pod alone; the marks say "injected by this
    // policy"
    String ns = TestNamespaces.create(client, "agents", Map.of(PodMarks.INJECT_LABEL, "false"));
    client
        .resource(Policies.policy(ns, "observed", Map.of("app", "o"), host[0], host[1], host[2]))
        .create();
    runningPod(
        ns,
        "o-1",
        "127.0.0.1",
        ControlPlaneResource.agentPort,
        Map.of(PodMarks.POLICY_ANNOTATION, "observed", PodMarks.GENERATION_ANNOTATION, "1"));
    // injected while the policy had agent.enabled: false: no agent to ask, so never counted as
    // silent
    runningPod(
        ns,
        "o-2",
        "127.0.0.2",
        0,
        Map.of(PodMarks.POLICY_ANNOTATION, "observed", PodMarks.GENERATION_ANNOTATION, "1"));

    // 1. the agent wants what the netns has: in sync
    agent = startAgent("observed", host[0], host[1], host[2]);
    awaitPolicy(
        ns,
        "observed",
        p -> {
          Condition reporting = p.getStatus().condition(ConditionTypes.AGENTS_REPORTING);
          assertEquals("True", reporting.getStatus(), reporting.getMessage());
          assertEquals("The agents of all 1 pod running answered.", reporting.getMessage());
          assertEquals(2, p.getStatus().getMatchedPods());
          assertEquals(1, p.getStatus().getObserved().getPodsReporting());
          assertEquals(1, p.getStatus().getObserved().getPodsInSync());
          assertTrue(
              p.getStatus().getObserved().getEstablishedConnections() > 0,
              "the test JVM holds connections to the API server");
          assertNotEquals(
              "SysctlDrift", p.getStatus().condition(ConditionTypes.DRIFTED).getReason());
        });

    // 2. the agent goes away: the status says which pod is silent
    stop(agent);
    awaitPolicy(
        ns,
        "observed",
        p -> {
          Condition reporting = p.getStatus().condition(ConditionTypes.AGENTS_REPORTING);
          assertEquals("False", reporting.getStatus());
          assertEquals("SomeAgentsSilent", reporting.getReason());
          assertTrue(
              reporting.getMessage().startsWith("1 of 1 pod running did not answer (o-1: "),
              reporting.getMessage());
        });

    // 3. an agent that wants other values than the netns has: drift, naming the pod and the sysctl
    agent = startAgent("observed", host[0] == 32767 ? 1 : host[0] + 1, host[1], host[2]);
    awaitPolicy(
        ns,
        "observed",
        p -> {
          Condition drifted = p.getStatus().condition(ConditionTypes.DRIFTED);
          assertEquals("True", drifted.getStatus(), drifted.getMessage());
          assertEquals("SysctlDrift", drifted.getReason());
          assertTrue(
              drifted.getMessage().contains("o-1: ")
                  && drifted.getMessage().contains("tcp_keepalive_time"),
              drifted.getMessage());
          assertEquals(0, p.getStatus().getObserved().getPodsInSync());
        });
  }

  /**
   * New pods keep coming, each with an agent that takes its time to answer: the status is written
   * all the while, not only once every agent has answered (which, with pods coming, is never).
   */
  @Test
  void aStreamOfNewPodsDoesNotKeepTheStatusFromBeingWritten() throws Exception {
    String ns = TestNamespaces.create(client, "stream", Map.of(PodMarks.INJECT_LABEL, "false"));
    client.resource(Policies.policy(ns, "streamed", Map.of("app", "o"), 300, 30, 5)).create();
    // an agent port where something accepts the connection and never answers
    try (ServerSocket silent = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
      Queue<Socket> held = new ConcurrentLinkedQueue<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException e) {
                  // closed at the end of the test
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      int created = 0;
      int mostMatched = 0;
      long end = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      while (System.nanoTime() < end) {
        runningPod(
            ns,
            "s-" + created++,
            "127.0.0.1",
            silent.getLocalPort(),
            Map.of(PodMarks.POLICY_ANNOTATION, "streamed", PodMarks.GENERATION_ANNOTATION, "1"));
        KeepalivePolicy policy =
            client.resources(KeepalivePolicy.class).inNamespace(ns).withName("streamed").get();
        if (policy.getStatus() != null && policy.getStatus().getMatchedPods() != null) {
          mostMatched = Math.max(mostMatched, policy.getStatus().getMatchedPods());
        }
        Thread.sleep(300);
      }
      assertTrue(
          mostMatched >= created / 2,
          "while "
              + created
              + " pods were created, the status counted at most "
              + mostMatched
              + " of them");
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /**
   * Stores a pod with the given marks (and an agent container on {@code agentPort}, unless 0) and
   * plays the kubelet: Running at {@code ip}.
   */
  private static void runningPod(
      String ns, String name, String ip, int agentPort, Map<String, String> annotations) {
    Pod pod = Pods.restricted(ns, name, Map.of("app", "o"));
    pod.getMetadata().setAnnotations(annotations);
    if (agentPort > 0) {
      pod.getSpec()
          .getContainers()
          .add(Pods.named(name).agent(agentPort).build().getSpec().getInitContainers().get(0));
    }
    client.resource(pod).create();
    client
        .pods()
        .inNamespace(ns)
        .withName(name)
        .editStatus(
            p -> {
              p.getStatus().setPhase("Running");
              p.getStatus().setPodIP(ip);
              return p;
            });
  }

  /**
   * Policies.awaitStatus, once the operator has collected agents at all (the assertions read that
   * condition).
   */
  private static void awaitPolicy(String ns, String name, Consumer<KeepalivePolicy> assertion) {
    Policies.awaitStatus(
        client,
        ns,
        name,
        WITHIN,
        policy -> {
          assertNotNull(
              policy.getStatus().condition(ConditionTypes.AGENTS_REPORTING),
              "agents not collected yet");
          assertion.accept(policy);
        });
  }

  /**
   * The values in force in this (the test's) network namespace, which the agent will observe; read
   * with the sysctl tool, independently of the agent's own reader.
   */
  private static int[] hostKeepalive() {
    int[] values = new int[3];
    String[] names = {
      "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"
    };
    for (int i = 0; i < 3; i++) {
      values[i] =
          Integer.parseInt(
              Processes.run(List.of("sysctl", "-n", names[i])).requireSuccess().stdout().trim());
    }
    return values;
  }

  private static Process startAgent(String policy, int time, int interval, int probes)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(Processes.app("agent"))
            .redirectErrorStream(true)
            .redirectOutput(Files.createTempFile("agent", ".log").toFile());
    Map<String, String> env = builder.environment();
    env.remove("KUBECONFIG");
    env.putAll(
        new AgentConfig(
                policy,
                new KeepaliveValues(time, interval, probes),
                ControlPlaneResource.agentPort,
                5,
                600,
                List.of(),
                List.of(),
                1)
            .toEnv());
    return builder.start();
  }

  private static void stop(Process process) throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor();
    }
  }
}
