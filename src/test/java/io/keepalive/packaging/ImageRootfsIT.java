package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.projectDir;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.Modes;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import io.keepalive.testing.Processes;
import io.keepalive.testing.Processes.Result;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.testing.TestSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every mode run from the image's own filesystem as a pod runs it, with no container runtime: the
 * layers of the built tarball unpacked, the image's entrypoint plus the arguments and env the
 * webhook or the chart give, as the pod's user, chrooted with a read-only root, an emptyDir on /tmp
 * (hack/image-rootfs.sh). This proves the jlink'd runtime holds every module each mode uses (TLS,
 * JMX, jdk.net, ...) and that nothing writes outside /tmp. Needs root like the netns tier (mount
 * namespaces, chroot, network namespaces): fails, never skips.
 */
class ImageRootfsIT {
  private static final Path SCRIPT = projectDir().resolve("hack/image-rootfs.sh");
  private static final String NAMESPACE = "keepalive-image-it";
  private static final KeepaliveValues POLICY_VALUES = new KeepaliveValues(300, 15, 4);
  private static Image image;
  private static Path work;
  private static Path rootfs;
  private static final List<String> namespaces = new ArrayList<>();

  @BeforeAll
  static void unpack() throws IOException {
    assertEquals(
        "root",
        System.getProperty("user.name"),
        "running the image's filesystem needs root (chroot, mount and network namespaces); CI runs as root");
    image = Image.built();
    work = Files.createTempDirectory("image-rootfs");
    rootfs = work.resolve("rootfs");
    Processes.run(
            Duration.ofMinutes(2),
            List.of(
                "bash", SCRIPT.toString(), "unpack", image.tarball.toString(), rootfs.toString()))
        .requireSuccess();
  }

  @AfterAll
  static void clean() throws IOException {
    for (String ns : namespaces) {
      Processes.run(List.of("ip", "netns", "del", ns));
    }
    if (work != null) {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void applySysctlsWritesThePolicysValuesAsTheInitContainer() throws IOException {
    Container init =
        new InjectedContainers(TestSettings.defaults())
            .sysctlInitContainer(POLICY_VALUES, Set.of())
            .orElseThrow();
    String ns = netns("sysctls");
    assertEquals(
        "7200",
        readSysctl(ns, "tcp_keepalive_time"),
        "a new network namespace starts from the kernel default");

    // the init container runs as root (privileged: /proc/sys is writable)
    Result result = Processes.run(Duration.ofSeconds(60), command(ns, "0:0", emptyDir(), init));
    assertEquals(0, result.exit(), result.output());
    assertEquals(
        List.of("300", "15", "4"),
        List.of(
            readSysctl(ns, "tcp_keepalive_time"),
            readSysctl(ns, "tcp_keepalive_intvl"),
            readSysctl(ns, "tcp_keepalive_probes")));
    assertFalse(result.output().contains("Error"), result.output());
  }

  @Test
  void agentObservesTheSysctlsAndServesAsTheInjectedSidecar() throws Exception {
    Container agent =
        new InjectedContainers(TestSettings.defaults())
            .agentContainer(
                Policies.policy("shop", "egress", Map.of(), 300, 15, 4), Map.of(), true);
    String ns = netns("agent");
    // what the pod's securityContext.sysctls sets before any container starts
    for (String[] s :
        List.of(
            new String[] {"time", "300"},
            new String[] {"intvl", "15"},
            new String[] {"probes", "4"})) {
      Processes.run(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  ns,
                  "sysctl",
                  "-qw",
                  "net.ipv4.tcp_keepalive_" + s[0] + "=" + s[1]))
          .requireSuccess();
    }
    Path tmp = emptyDir();
    Path log = work.resolve("agent.log");
    Process process = start(command(ns, uid(agent) + ":" + uid(agent), tmp, agent), log);
    try {
      int port = agent.getPorts().get(0).getContainerPort();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                assertTrue(
                    process.isAlive(),
                    () -> "the agent exited " + process.exitValue() + ":\n" + read(log));
                return curl(ns, "http://127.0.0.1:" + port + "/healthz").equals("ok\n");
              });
      JsonObject status = new JsonObject(curl(ns, "http://127.0.0.1:" + port + "/status"));
      JsonObject sysctls = status.getJsonObject("sysctls");
      assertEquals("egress", status.getString("policy"));
      assertEquals(
          new JsonObject().put("timeSeconds", 300).put("intervalSeconds", 15).put("probes", 4),
          sysctls.getJsonObject("observed"),
          status.encodePrettily());
      assertTrue(sysctls.getBoolean("inSync"), status.encodePrettily());
      assertTrue(
          curl(ns, "http://127.0.0.1:" + port + "/metrics").contains("keepalive_"),
          "the agent's metrics");

      process.destroy(); // SIGTERM, as the kubelet stops a container
      assertTrue(
          process.waitFor(15, TimeUnit.SECONDS),
          "the agent did not stop within 15 s of SIGTERM:\n" + read(log));
    } finally {
      process.destroyForcibly();
    }
    assertNoMissingClass(read(log));
    assertNothingWrittenTo(tmp);
  }

  @Test
  void operatorBecomesReadyAgainstTheApiServerAndServesItsWebhookOverTls() throws Exception {
    KubernetesClient client = ControlPlane.client();
    TestNamespaces.ensure(client, NAMESPACE);
    Packaging.ensureCrd(client);
    int http = Ports.free();
    int webhook = Ports.free();
    Path tmp = emptyDir();
    // the kubeconfig stands in for the ServiceAccount token a pod gets: a file the operator reads
    Files.writeString(tmp.resolve("kubeconfig"), selfContained(ControlPlane.kubeconfigYaml()));
    Container operator = new Container();
    operator.setArgs(
        List.of(Modes.OPERATOR)); // what the chart's Deployment passes (ImageIT ties them)
    operator.setEnv(
        List.of(
            new EnvVar("KUBECONFIG", "/tmp/kubeconfig", null),
            new EnvVar("KEEPALIVE_NAMESPACE", NAMESPACE, null),
            new EnvVar("KEEPALIVE_WEBHOOK_PORT", Integer.toString(webhook), null),
            new EnvVar(
                "KEEPALIVE_WEBHOOK_URL", "https://127.0.0.1:" + webhook + "/mutate-pods", null),
            new EnvVar("KEEPALIVE_WEBHOOK_CONFIGURATION_NAME", NAMESPACE, null),
            new EnvVar("QUARKUS_HTTP_PORT", Integer.toString(http), null)));
    Path log = work.resolve("operator.log");
    Process process = start(command(null, chartOperatorUser(), tmp, operator), log);
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                assertTrue(
                    process.isAlive(),
                    () -> "the operator exited " + process.exitValue() + ":\n" + read(log));
                return httpCode("http://127.0.0.1:" + http + "/q/health/ready").equals("200");
              });
      // Micrometer's JVM and process metrics read JMX and com.sun.management (java.management,
      // jdk.management)
      String metrics =
          Processes.run(
                  List.of(
                      "curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + http + "/q/metrics"))
              .requireSuccess()
              .stdout();
      for (String metric :
          List.of("jvm_memory_used_bytes", "process_cpu_usage", "system_cpu_count")) {
        assertTrue(metrics.contains(metric), metric + " missing from /q/metrics");
      }
      // the webhook's own EC certificate (jdk.crypto.ec) on a TLS handshake; an empty review is a
      // client error
      String code =
          httpCode(
              "https://127.0.0.1:" + webhook + "/mutate-pods",
              "-k",
              "-X",
              "POST",
              "-H",
              "Content-Type: application/json",
              "-d",
              "{}");
      assertTrue(code.startsWith("4"), "the webhook answered " + code + " over TLS:\n" + read(log));

      process.destroy();
      assertTrue(
          process.waitFor(15, TimeUnit.SECONDS),
          "the operator did not stop within 15 s of SIGTERM:\n" + read(log));
    } finally {
      process.destroyForcibly();
      client
          .admissionRegistration()
          .v1()
          .mutatingWebhookConfigurations()
          .withName(NAMESPACE)
          .delete();
      client.close();
    }
    assertNoMissingClass(read(log));
  }

  /**
   * The kubeconfig with the certificate files it names inlined: the chrooted operator sees none of
   * the host's files.
   */
  private static String selfContained(String kubeconfig) throws IOException {
    ObjectNode tree = (ObjectNode) Packaging.YAML.readTree(kubeconfig);
    for (String[] section :
        List.of(new String[] {"clusters", "cluster"}, new String[] {"users", "user"})) {
      for (JsonNode item : tree.path(section[0])) {
        ObjectNode fields = (ObjectNode) item.get(section[1]);
        for (String key : List.of("certificate-authority", "client-certificate", "client-key")) {
          if (fields.has(key)) {
            byte[] content = Files.readAllBytes(Path.of(fields.remove(key).asText()));
            fields.put(key + "-data", Base64.getEncoder().encodeToString(content));
          }
        }
      }
    }
    return Packaging.YAML.writeValueAsString(tree);
  }

  /** The chart's operator user and group (values.yaml podSecurityContext). */
  private static String chartOperatorUser() {
    var pod = Packaging.tree(Packaging.chartDir().resolve("values.yaml")).get("podSecurityContext");
    return pod.get("runAsUser").asText() + ":" + pod.get("runAsGroup").asText();
  }

  /**
   * The container's command line from the image: its Env, then the container's env; the image's
   * entrypoint (the webhook and the chart set no command), then the container's args; run in
   * network namespace {@code ns} (null: this one) as {@code user}. {@code env -i} so that nothing
   * of this JVM's environment leaks in.
   */
  private static List<String> command(String ns, String user, Path tmp, Container container) {
    assertTrue(
        container.getCommand() == null || container.getCommand().isEmpty(),
        "the image's entrypoint runs");
    Map<String, String> env = new LinkedHashMap<>(image.env());
    container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    List<String> command = new ArrayList<>(List.of("env", "-i"));
    env.forEach((k, v) -> command.add(k + "=" + v));
    if (ns != null) {
      command.addAll(List.of("ip", "netns", "exec", ns));
    }
    command.addAll(
        List.of("bash", SCRIPT.toString(), "run", rootfs.toString(), user, tmp.toString()));
    command.addAll(image.entrypoint());
    command.addAll(container.getArgs());
    return command;
  }

  /**
   * The container's runAsUser; with no runAsGroup the runtime takes the group from the image's
   * /etc/passwd.
   */
  private static String uid(Container container) {
    return Long.toString(container.getSecurityContext().getRunAsUser());
  }

  private static Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** A pod's emptyDir: a fresh host directory, writable by any user. */
  private static Path emptyDir() throws IOException {
    Path dir = Files.createTempDirectory(work, "tmp-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  private static String netns(String role) {
    String name = "kaimg-" + role + "-" + ProcessHandle.current().pid();
    Processes.run(List.of("ip", "netns", "add", name)).requireSuccess();
    namespaces.add(name);
    Processes.run(List.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"))
        .requireSuccess();
    return name;
  }

  private static String readSysctl(String ns, String name) {
    return Processes.run(List.of("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/" + name))
        .requireSuccess()
        .stdout()
        .trim();
  }

  private static String curl(String ns, String url) {
    return Processes.run(List.of("ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "5", url))
        .stdout();
  }

  private static String httpCode(String url, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"));
    command.addAll(List.of(options));
    command.add(url);
    return Processes.run(command).stdout().trim();
  }

  private static void assertNoMissingClass(String log) {
    for (String sign :
        List.of(
            "NoClassDefFoundError",
            "ClassNotFoundException",
            "UnsatisfiedLinkError",
            "Read-only file system",
            "Permission denied")) {
      assertFalse(log.contains(sign), sign + " in the log:\n" + log);
    }
  }

  /**
   * -XX:-UsePerfData and the agent's own settings: the JVM leaves no hsperfdata or cache in the
   * emptyDir.
   */
  private static void assertNothingWrittenTo(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(), files.toList(), "files the agent wrote into /tmp");
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
