package io.keepalive.bench;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.keepalive.operator.SlimPodStore;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.TestNamespaces;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * How much heap the operator's pod informer holds per pod, with the slim store it uses versus the
 * default store that keeps whole pods. Realistic pods (three containers, env, volumes, last-applied
 * annotation) come from the real kube-apiserver. Run with bench/operator-memory.sh; results go to
 * bench/results/.
 */
public final class PodCacheMemoryBench {
  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path out = Path.of(args.length > 1 ? args[1] : "bench/results/operator-memory.md");
    try (KubernetesClient client = ControlPlane.client()) {
      String ns = TestNamespaces.create(client, "bench");
      IntStream.range(0, pods)
          .parallel()
          .forEach(i -> client.resource(realisticPod(ns, i)).create());

      long full = measure(client, ns, pods, false);
      long slim = measure(client, ns, pods, true);

      String report =
          """
                    # Operator memory: pod informer cache

                    Measured %s on %d cores, %d MiB RAM, %s %s, by `bench/operator-memory.sh`
                    (`io.keepalive.bench.PodCacheMemoryBench`).

                    %d realistic pods (3 containers with 20 env vars each, 4 volumes, a 3 KiB
                    last-applied-configuration annotation, a ReplicaSet as controller) stored in a real kube-apiserver %s; one fabric8 informer
                    synced over them, then the retained heap measured after GC, minus the heap before.

                    | informer store | retained heap | per pod |
                    |---|---|---|
                    | default (whole pods) | %.1f MiB | %.1f KiB |
                    | `SlimPodStore` (what reconciliation reads) | %.1f MiB | %.2f KiB |

                    The slim store holds %.1f%% of the default store's heap (%.0fx less). The operator watches every
                    pod of its watched namespaces, so this is the part of its memory that grows with the cluster.
                    """
              .formatted(
                  LocalDate.now(),
                  Runtime.getRuntime().availableProcessors(),
                  ManagementFactory.getPlatformMXBean(
                              com.sun.management.OperatingSystemMXBean.class)
                          .getTotalMemorySize()
                      >> 20,
                  System.getProperty("java.vm.name"),
                  System.getProperty("java.version"),
                  pods,
                  ControlPlane.kubernetesVersion(),
                  full / 1048576.0,
                  full / 1024.0 / pods,
                  slim / 1048576.0,
                  slim / 1024.0 / pods,
                  100.0 * slim / full,
                  (double) full / slim);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report);
      System.out.println(report);
    } finally {
      ControlPlane.stop();
    }
    // the Kubernetes client's Vert.x event loops are not daemon threads and outlive client.close():
    // without
    // this the JVM (and bench/operator-memory.sh) waits forever after writing the result
    System.exit(0);
  }

  static long measure(KubernetesClient client, String ns, int pods, boolean slim) throws Exception {
    long before = usedHeapAfterGc();
    SharedIndexInformer<Pod> informer = client.pods().inNamespace(ns).runnableInformer(0);
    if (slim) {
      informer.itemStore(new SlimPodStore());
    }
    informer.start().toCompletableFuture().get(120, TimeUnit.SECONDS);
    List<Pod> cached = informer.getStore().list();
    if (cached.size() != pods) {
      throw new IllegalStateException("informer holds " + cached.size() + " pods");
    }
    if (slim != (cached.get(0).getSpec() == null)) {
      throw new IllegalStateException("the informer did not use the intended store");
    }
    long retained = usedHeapAfterGc() - before;
    informer.stop();
    return retained;
  }

  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(200);
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }

  static Pod realisticPod(String ns, int i) {
    List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      var env =
          IntStream.range(0, 20)
              .mapToObj(
                  e ->
                      new EnvVarBuilder()
                          .withName("SETTING_" + e)
                          .withValue("value-" + e + "-of-a-typical-configuration-entry")
                          .build())
              .toList();
      containers.add(
          new ContainerBuilder()
              .withName("c" + c)
              .withImage("registry.example/team/app-" + c + ":1.2.3")
              .withArgs("--port=8080", "--log-level=info")
              .withEnv(env)
              .withVolumeMounts(
                  new VolumeMountBuilder().withName("config").withMountPath("/etc/app").build(),
                  new VolumeMountBuilder().withName("data").withMountPath("/var/lib/app").build())
              .withNewResources()
              .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
              .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi"))
              .endResources()
              .build());
    }
    var volumes =
        IntStream.range(0, 4)
            .mapToObj(
                v ->
                    new VolumeBuilder()
                        .withName(v == 0 ? "config" : v == 1 ? "data" : "v" + v)
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build())
            .toList();
    return new PodBuilder()
        .withNewMetadata()
        .withName("pod-" + i)
        .withNamespace(ns)
        .withLabels(
            Map.of(
                "app", "shop", "tier", "web", "pod-template-hash", "6d4cf56db6", "version", "v1"))
        .withAnnotations(
            Map.of(
                "kubectl.kubernetes.io/last-applied-configuration",
                "x".repeat(3072),
                "keepalive.io/policy",
                "egress",
                "keepalive.io/policy-generation",
                "1"))
        // a Deployment's pod: its ReplicaSet is its controller (the slim store keeps it for the
        // rollout)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName("shop-6d4cf56db6")
        .withUid("3f0c2a4e-8d1b-4c6e-9a7f-2b5d8e1c0a9" + (i % 10))
        .withController(true)
        .withBlockOwnerDeletion(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withContainers(containers)
        .withVolumes(volumes)
        .endSpec()
        .build();
  }
}
