package io.keepalive.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One real etcd + kube-apiserver per test JVM, from the binaries hack/ensure-tools.sh builds from
 * the Go module proxy. Offline: a missing binary is an error that says how to build it, never a
 * download and never a skipped tier.
 */
public final class ControlPlane {
  private static KubeAPIServer server;
  private static Path kubeconfigFile;

  private ControlPlane() {}

  public static Path toolsDir() {
    String dir = System.getProperty("tests.tools.dir", System.getenv("KEEPALIVE_TOOLS_DIR"));
    return Path.of(dir != null ? dir : System.getenv("HOME") + "/.cache/keepalive-operator");
  }

  public static String kubernetesVersion() {
    return System.getProperty("tests.k8s.version", "1.34.4");
  }

  public static Path binary(String name) {
    Path path =
        toolsDir().resolve("k8s").resolve(kubernetesVersion() + "-linux-amd64").resolve(name);
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          path
              + " is missing: run hack/ensure-tools.sh (it builds etcd, "
              + "kube-apiserver and kubectl "
              + kubernetesVersion()
              + " from the Go module proxy)");
    }
    return path;
  }

  public static Path helm() {
    Path path = toolsDir().resolve("bin/helm");
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(path + " is missing: run hack/ensure-tools.sh");
    }
    return path;
  }

  public static synchronized void start() {
    if (server != null) {
      return;
    }
    binary("etcd");
    binary("kube-apiserver");
    binary("kubectl");
    KubeAPIServer apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(toolsDir().toString())
                .withApiServerVersion(kubernetesVersion())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                .build());
    apiServer.start();
    try {
      kubeconfigFile = Files.createTempFile("keepalive-kubeconfig", ".yaml");
      Files.writeString(kubeconfigFile, apiServer.getKubeConfigYaml());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server = apiServer;
    Runtime.getRuntime().addShutdownHook(new Thread(ControlPlane::stop, "control-plane-stop"));
  }

  public static synchronized void stop() {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  public static String kubeconfigYaml() {
    start();
    return server.getKubeConfigYaml();
  }

  public static Path kubeconfigFile() {
    start();
    return kubeconfigFile;
  }

  public static Config config() {
    return Config.fromKubeconfig(kubeconfigYaml());
  }

  public static KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /**
   * Runs the real kubectl against the control plane; returns stdout, fails with stderr on a
   * non-zero exit.
   */
  public static String kubectl(String... args) {
    return kubectlResult(args).requireSuccess().stdout();
  }

  /**
   * Runs the real kubectl against the control plane, for callers that read the exit code (auth
   * can-i, refusals).
   */
  public static Processes.Result kubectlResult(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(binary("kubectl").toString(), "--kubeconfig", kubeconfigFile().toString()));
    command.addAll(List.of(args));
    return Processes.run(command);
  }
}
