package io.keepalive.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.keepalive.testing.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real single-node cluster of hack/cluster-up.sh (kubelet, containerd, runc, kube-proxy),
 * shared by the cluster tier's classes in one JVM: brought up before the first class, with the
 * project's image (built by `./mvnw package`) and the node images imported, the chart installed by
 * the real helm with its default values; brought down by hack/cluster-down.sh when the JVM's tests
 * end. The host's state is recorded before the first start so that {@link ClusterTeardownIT} can
 * show the teardown restores it.
 */
public final class LocalCluster
    implements BeforeAllCallback, ExtensionContext.Store.CloseableResource, AutoCloseable {
  static final String RELEASE = "keepalive-operator";
  static final String OPERATOR_NAMESPACE = "keepalive-system";
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
  private static Map<String, String> env;
  private static HostState before;
  private static KubernetesClient client;

  /**
   * Holds the cluster's use lock while it lives (it is never read: the JVM's exit releases the
   * lock).
   */
  @SuppressWarnings("unused")
  private static Process lockHolder;

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (LocalCluster.class) {
      if (client == null) {
        holdTheCluster();
        // from a machine without the cluster (a developer's cluster left running is stopped first),
        // so
        // that the state recorded is the machine's own
        script(UP_TIMEOUT, "hack/cluster-down.sh");
        before = HostState.read();
        up();
        installChart();
        // the root store closes this when every class of the JVM has run
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(LocalCluster.class, this);
      }
    }
  }

  @Override
  public void close() {
    down();
  }

  /**
   * One user of the machine's cluster at a time (the main job, bench/cluster.sh and another test
   * run wait for each other): `flock -o` holds hack/cluster-env.sh's use lock for as long as its
   * `cat` reads this JVM's pipe, i.e. until the JVM exits, however it exits.
   */
  private static void holdTheCluster() {
    String lock = env().get("CLUSTER_USE_LOCK");
    try {
      Process holder =
          new ProcessBuilder("flock", "-o", "-w", "3600", lock, "sh", "-c", "echo held; exec cat")
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String line = holder.inputReader().readLine();
      if (!"held".equals(line)) {
        throw new IllegalStateException(
            "could not take " + lock + " (another run uses the cluster)");
      }
      lockHolder = holder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** hack/cluster-up.sh, then the images: the project's own and the workloads'. */
  static synchronized void up() {
    script(UP_TIMEOUT, "hack/cluster-up.sh");
    List<String> images =
        new ArrayList<>(
            List.of(
                projectDir().resolve("hack/cluster-import.sh").toString(),
                projectImage().toString()));
    for (String name : List.of("busybox", "nginx", "pooled-client")) {
      images.add(Path.of(env().get("IMAGES_DIR")).resolve(name + ".tar").toString());
    }
    Processes.run(UP_TIMEOUT, prepend("bash", images), Map.of()).requireSuccess();
    client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig()))).build();
  }

  static synchronized void down() {
    if (client != null) {
      client.close();
      client = null;
    }
    script(UP_TIMEOUT, "hack/cluster-down.sh");
  }

  /**
   * The chart as a user installs it: `helm upgrade --install`, default values, waiting for the
   * operator.
   */
  static void installChart() {
    helm(
        "upgrade",
        "--install",
        RELEASE,
        projectDir().resolve("helm/keepalive-operator").toString(),
        "--namespace",
        OPERATOR_NAMESPACE,
        "--create-namespace",
        "--wait",
        "--timeout",
        "5m");
  }

  static String helm(String... args) {
    List<String> command =
        new ArrayList<>(List.of(env().get("HELM"), "--kubeconfig", kubeconfig().toString()));
    command.addAll(List.of(args));
    return Processes.run(UP_TIMEOUT, command, Map.of()).requireSuccess().stdout();
  }

  static KubernetesClient client() {
    if (client == null) {
      throw new IllegalStateException(
          "the cluster is not up: annotate the class with " + "@ExtendWith(LocalCluster.class)");
    }
    return client;
  }

  static HostState hostStateBeforeUp() {
    return before;
  }

  /**
   * The real kubectl against the cluster; stdout, or a failure naming the command and its output.
   */
  static String kubectl(String... args) {
    return kubectlResult(args).requireSuccess().stdout();
  }

  static Processes.Result kubectlResult(String... args) {
    List<String> command =
        new ArrayList<>(List.of(env().get("KUBECTL"), "--kubeconfig", kubeconfig().toString()));
    command.addAll(List.of(args));
    return Processes.run(command);
  }

  /** A file of /proc/sys read inside a running container with `kubectl exec`, trimmed. */
  static String procSys(Pod pod, String container, String path) {
    return kubectl(
            "exec",
            "-n",
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            "-c",
            container,
            "--",
            "cat",
            "/proc/sys/" + path)
        .trim();
  }

  /**
   * Runs a host command inside the network namespace of a running pod (nsenter into the namespace
   * of its first container's process, found through containerd): what the pod's sockets really are,
   * seen from outside.
   */
  static String inNetworkOf(Pod pod, String... command) {
    String id =
        pod.getStatus()
            .getContainerStatuses()
            .get(0)
            .getContainerID()
            .replaceFirst("^containerd://", "");
    String tasks =
        Processes.run(
                List.of(
                    "ctr",
                    "--address",
                    env().get("CONTAINERD_SOCK"),
                    "-n",
                    "k8s.io",
                    "tasks",
                    "ls"))
            .requireSuccess()
            .stdout();
    String pid =
        tasks
            .lines()
            .map(line -> line.split("\\s+"))
            .filter(cols -> cols[0].equals(id))
            .map(cols -> cols[1])
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no containerd task " + id + " in:\n" + tasks));
    List<String> full = new ArrayList<>(List.of("nsenter", "-t", pid, "-n"));
    full.addAll(List.of(command));
    return Processes.run(full).requireSuccess().stdout();
  }

  static Path kubeconfig() {
    return Path.of(env().get("KUBECONFIG"));
  }

  /** The cluster's settings, from the one place the scripts read them (hack/cluster-env.sh). */
  static synchronized Map<String, String> env() {
    if (env == null) {
      String out =
          Processes.run(
                  List.of(
                      "bash", projectDir().resolve("hack/cluster-env.sh").toString(), "--print"))
              .requireSuccess()
              .stdout();
      Map<String, String> values = new HashMap<>();
      for (String line : out.split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      env = Map.copyOf(values);
    }
    return env;
  }

  static Path projectDir() {
    return Path.of(System.getProperty("tests.project.dir", System.getProperty("user.dir")));
  }

  /**
   * The image tarball `./mvnw package` wrote; the tier runs after package (failsafe), so it must
   * exist.
   */
  static Path projectImage() {
    Path image =
        Path.of(
            System.getProperty(
                "tests.image.tarball",
                projectDir().resolve("target/keepalive-operator-image.tar").toString()));
    if (!Files.isRegularFile(image)) {
      throw new IllegalStateException(
          image
              + " is missing: the cluster tier runs after `./mvnw package`, "
              + "which builds the image (docs/images.md)");
    }
    return image;
  }

  private static void script(Duration timeout, String script) {
    Processes.run(timeout, List.of("bash", projectDir().resolve(script).toString()), Map.of())
        .requireSuccess();
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
