package io.keepalive.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Pod create to Ready on the real node (bench/cluster.sh): the same pod in several arms, each a
 * namespace (whose policy injects the sysctls, the sysctls and the agent sidecar, or nothing) and
 * whether the pod brings a trivial native sidecar of its own (the floor of "any native sidecar").
 * Round-robin over the arms, rotating which goes first, one pod at a time, each deleted (and gone)
 * before the next; the time runs from the create request to the watch event that shows the pod
 * Ready. Usage: PodStartupBenchmark ROUNDS OUT_FILE ARM... with ARM = name=namespace[+sidecar];
 * writes one line per pod: arm millis.
 */
public final class PodStartupBenchmark {
  record Arm(String name, String namespace, boolean ownSidecar) {
    static Arm parse(String spec) {
      String[] nameAndRest = spec.split("=", 2);
      String rest = nameAndRest[1];
      boolean sidecar = rest.endsWith("+sidecar");
      return new Arm(
          nameAndRest[0], sidecar ? rest.substring(0, rest.length() - 8) : rest, sidecar);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    List<Arm> arms = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      arms.add(Arm.parse(args[i]));
    }
    Config config = Config.fromKubeconfig(Files.readString(Path.of(System.getenv("KUBECONFIG"))));
    List<String> lines = new ArrayList<>();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      for (int round = 0; round < rounds; round++) {
        // rotate which arm goes first, so none always follows the same one's teardown
        for (int k = 0; k < arms.size(); k++) {
          Arm arm = arms.get((round + k) % arms.size());
          long millis = createToReady(client, arm, "bench-" + round);
          lines.add(arm.name() + " " + millis);
          System.err.printf(Locale.ROOT, "round %d %s %d ms%n", round, arm.name(), millis);
        }
      }
    }
    Files.write(out, lines);
    // the client's Vert.x event loops are not daemon threads
    System.exit(0);
  }

  static long createToReady(KubernetesClient client, Arm arm, String name) throws Exception {
    String ns = arm.namespace();
    CompletableFuture<Long> ready = new CompletableFuture<>();
    try (Watch ignored =
        client
            .pods()
            .inNamespace(ns)
            .withName(name)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    if (pod.getStatus() != null
                        && pod.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                      ready.complete(System.nanoTime());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    ready.completeExceptionally(cause);
                  }
                })) {
      long start = System.nanoTime();
      client.resource(pod(ns, name, arm.ownSidecar())).create();
      long end = ready.get(120, TimeUnit.SECONDS);
      client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
      client
          .pods()
          .inNamespace(ns)
          .withName(name)
          .waitUntilCondition(p -> p == null, 120, TimeUnit.SECONDS);
      return TimeUnit.NANOSECONDS.toMillis(end - start);
    }
  }

  /**
   * The same pod in every arm: a busybox sleeper that passes Pod Security "restricted"; with {@code
   * ownSidecar}, a second busybox sleeper as a native sidecar (an init container that restarts).
   */
  static Pod pod(String ns, String name, boolean ownSidecar) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(Map.of("app", "bench"))
            .endMetadata()
            .withNewSpec()
            .withAutomountServiceAccountToken(false)
            .withTerminationGracePeriodSeconds(0L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(65534L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withContainers(sleeper("app"))
            .endSpec()
            .build();
    if (ownSidecar) {
      Container sidecar = sleeper("sidecar");
      sidecar.setRestartPolicy("Always");
      pod.getSpec().setInitContainers(List.of(sidecar));
    }
    return pod;
  }

  private static Container sleeper(String name) {
    return new ContainerBuilder()
        .withName(name)
        .withImage("localhost/keepalive-cluster/busybox:1")
        .withImagePullPolicy("IfNotPresent")
        .withCommand("sleep", "3600")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .addToDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .build();
  }
}
