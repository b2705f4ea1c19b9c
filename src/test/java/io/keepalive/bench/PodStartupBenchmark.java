package io.keepalive.bench;

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
 * Pod create to Ready on the real node (bench/cluster.sh), the same pod in two namespaces: one
 * whose policy injects the sysctls and the agent sidecar, one no policy selects. The arms
 * alternate, one pod at a time, each deleted (and gone) before the next; the time runs from the
 * create request to the watch event that shows the pod Ready. Usage: PodStartupBenchmark
 * INJECTED_NS PLAIN_NS ROUNDS OUT_FILE (one line per pod: arm millis).
 */
public final class PodStartupBenchmark {
  public static void main(String[] args) throws Exception {
    String injected = args[0];
    String plain = args[1];
    int rounds = Integer.parseInt(args[2]);
    Path out = Path.of(args[3]);
    Config config = Config.fromKubeconfig(Files.readString(Path.of(System.getenv("KUBECONFIG"))));
    List<String> lines = new ArrayList<>();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      for (int round = 0; round < rounds; round++) {
        // alternate which arm goes first, so neither always follows the other's teardown
        List<String> order = round % 2 == 0 ? List.of(plain, injected) : List.of(injected, plain);
        for (String ns : order) {
          long millis = createToReady(client, ns, "bench-" + round);
          String arm = ns.equals(injected) ? "injected" : "plain";
          lines.add(arm + " " + millis);
          System.err.printf(Locale.ROOT, "round %d %s %d ms%n", round, arm, millis);
        }
      }
    }
    Files.write(out, lines);
    // the client's Vert.x event loops are not daemon threads
    System.exit(0);
  }

  static long createToReady(KubernetesClient client, String ns, String name) throws Exception {
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
      client.resource(pod(ns, name)).create();
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

  /** The same pod in both arms: a busybox sleeper that passes Pod Security "restricted". */
  static Pod pod(String ns, String name) {
    return new PodBuilder()
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
        .addNewContainer()
        .withName("app")
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
        .endContainer()
        .endSpec()
        .build();
  }
}
