package io.keepalive.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pod creation through one real kube-apiserver with Kyverno's admission controller and this
 * operator registered side by side, each by URL on loopback, in five interleaved arms: Kyverno
 * patching, Kyverno called without a patch, the operator patching, the operator called without a
 * patch, and no webhook. Namespace labels keep every arm to one webhook at most; the webhooks' own
 * request counters prove it. The operator runs from its image's unpacked filesystem with the
 * image's entrypoint in a memory cgroup of the chart's limit, so its JVM sizes itself as in a pod;
 * Kyverno runs with its chart's flags in a cgroup of its chart's limit. Measuring starts as soon as
 * the operator is ready: its first minutes are part of the result. Run by bench/kyverno.sh (as
 * root), which builds Kyverno from its Go module and prepares the filesystem and the cgroups;
 * writes bench/results/kyverno.md. It asserts correctness (each arm patched or not, as it should
 * be), never timings.
 */
public final class KyvernoComparison {
  static final int PACED_ROUNDS = Integer.getInteger("bench.paced.rounds", 6);
  static final int PACED_BLOCK = Integer.getInteger("bench.paced.block", 10);
  static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "5"));
  static final int BACK_TO_BACK = Integer.getInteger("bench.back-to-back", 200);

  /**
   * The operator's JAVA_TOOL_OPTIONS: the chart's jvmOptions (bench/kyverno.sh reads them), or
   * flags to try (empty: the image's entrypoint alone).
   */
  static final String JAVA_TOOL_OPTIONS =
      System.getProperty("bench.operator.java-tool-options", "");

  /** Where {@link #JAVA_TOOL_OPTIONS} come from, for the report. */
  static final String JAVA_TOOL_OPTIONS_FROM =
      System.getProperty("bench.operator.java-tool-options.from", "");

  static final String OPERATOR_NAMESPACE = "keepalive-system";
  static final String KYVERNO_NAMESPACE = "kyverno";
  static final String KYVERNO_OFF = "bench.keepalive.io/kyverno";
  static final String KYVERNO_POLICY = "tcp-keepalive-sysctls";
  static final List<String> SYSCTLS =
      List.of(
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One way a pod create goes through the API server; its namespace says which. */
  enum Arm {
    KYVERNO_PATCH("Kyverno, patching", "kyv-patch", true, true),
    KYVERNO_CALLED("Kyverno, called, no patch", "kyv-called", true, false),
    OPERATOR_PATCH("operator, patching", "op-patch", false, true),
    OPERATOR_CALLED("operator, called, no patch", "op-called", false, false),
    NONE("no webhook", "none", false, false);

    final String title;
    final String namespace;
    final boolean kyverno;
    final boolean patched;

    Arm(String title, String namespace, boolean kyverno, boolean patched) {
      this.title = title;
      this.namespace = namespace;
      this.kyverno = kyverno;
      this.patched = patched;
    }

    boolean operator() {
      return this == OPERATOR_PATCH || this == OPERATOR_CALLED;
    }

    /** Each webhook is sent only its own arms' namespaces. */
    Map<String, String> labels() {
      return Map.of(
          PodMarks.INJECT_LABEL,
          operator() ? "true" : "false",
          KYVERNO_OFF,
          kyverno ? "on" : "off");
    }
  }

  /** A process of ours, its log and the memory cgroup it runs in. */
  /** The floor's memory at the end, KiB. */
  record Floor(long rss, long anon, long cgroup) {}

  record Server(String name, Process process, Path log, Path cgroup) {
    long pid() {
      return process.pid();
    }
  }

  /** One phase's creates per arm, in milliseconds. */
  static final class Phase {
    final String name;
    final Map<Arm, List<Double>> ms = new EnumMap<>(Arm.class);
    Instant start, end;
    Metrics before, after;

    Phase(String name) {
      this.name = name;
      for (Arm arm : Arm.values()) {
        ms.put(arm, new ArrayList<>());
      }
    }

    double quantile(Arm arm, double q) {
      double[] sorted = ms.get(arm).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
      return sorted[Math.max(0, i)];
    }

    double added(Arm arm) {
      return quantile(arm, 0.5) - quantile(Arm.NONE, 0.5);
    }

    int creates() {
      return ms.values().stream().mapToInt(List::size).sum();
    }
  }

  /** Counters read from both webhooks' Prometheus endpoints at one moment. */
  record Metrics(
      Map<Arm, Double> kyvernoRequests,
      double kyvernoReviewSeconds,
      double kyvernoReviews,
      double operatorReviews,
      double operatorReviewSeconds,
      double statusWrites,
      double reconciles) {}

  private final KubernetesClient client;
  private final Path work;
  private final Path rootfs;
  private final Path kyvernoBinary;
  private final Path kyvernoModule;
  private final Path operatorCgroup;
  private final Path kyvernoCgroup;
  private final Path floorCgroup;
  private final int operatorHttp = Ports.free();
  private final int operatorWebhook = Ports.free();
  private final int kyvernoWebhook = Ports.free();
  private final int kyvernoMetrics = Ports.free();
  private final MemorySampler memory = new MemorySampler();
  private int podSerial;

  KyvernoComparison(KubernetesClient client) {
    this.client = client;
    this.work = Path.of(System.getProperty("bench.work"));
    this.rootfs = Path.of(System.getProperty("bench.rootfs"));
    this.kyvernoBinary = Path.of(System.getProperty("bench.kyverno.binary"));
    this.kyvernoModule = Path.of(System.getProperty("bench.kyverno.module"));
    this.operatorCgroup = Path.of(System.getProperty("bench.operator.cgroup"));
    this.kyvernoCgroup = Path.of(System.getProperty("bench.kyverno.cgroup"));
    this.floorCgroup = Path.of(System.getProperty("bench.floor.cgroup"));
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "bench/results/kyverno.md");
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    int exit = 1;
    try (KubernetesClient client = ControlPlane.client()) {
      new KyvernoComparison(client).run(out, loadBefore);
      exit = 0;
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
    } finally {
      ControlPlane.stop();
      // informer and HTTP client threads of the harness must not keep it (and the script) alive
      System.exit(exit);
    }
  }

  void run(Path out, String loadBefore) throws Exception {
    prepare();
    Server kyverno = startKyverno();
    Server operator = null;
    Server floor = null;
    try {
      awaitKyverno(kyverno);
      operator = startOperator();
      floor = startFloor();
      Instant operatorReady = awaitOperator(operator);
      memory.start(operator, kyverno);
      // from here on the operator's first minutes are measured: no warm-up beyond one pod per arm
      checkArms();
      List<Phase> phases = new ArrayList<>();
      phases.add(paced("paced " + RATE + "/s, operator's first minutes"));
      phases.add(backToBack());
      phases.add(paced("paced " + RATE + "/s again (JVM warm)"));
      Thread.sleep(10_000);
      MemorySampler.Sample settled = memory.now();
      Floor floorAtEnd =
          new Floor(
              MemorySampler.status(floor.pid(), "VmRSS"),
              MemorySampler.status(floor.pid(), "RssAnon"),
              MemorySampler.cgroupUsage(floor.cgroup()));
      if (floorAtEnd.rss() == 0) {
        throw new IllegalStateException("the floor process is gone:\n" + tail(floor.log()));
      }
      memory.stop();
      new KyvernoReport(phases, memory, settled, floorAtEnd, operatorReady, loadBefore)
          .write(out, kyverno, operator);
    } catch (Exception | AssertionError e) {
      System.err.println("--- kyverno log tail\n" + tail(kyverno.log()));
      if (operator != null) {
        System.err.println("--- operator log tail\n" + tail(operator.log()));
      }
      throw e;
    } finally {
      memory.stop();
      stop(floor);
      stop(operator);
      stop(kyverno);
      // the servers' whole logs outlive the run's temporary directory (what the JVM printed at exit
      // too)
      for (Server server : java.util.Arrays.asList(operator, kyverno)) {
        if (server != null) {
          Files.copy(
              server.log(),
              Path.of("target", "kyverno-bench-" + server.name() + ".log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Both systems' CRDs and namespaces, Kyverno's ConfigMaps, and one namespace per arm. */
  void prepare() throws IOException {
    ControlPlane.kubectl(
        "apply", "--server-side", "-R", "-f", kyvernoModule.resolve("config/crds").toString());
    ControlPlane.kubectl(
        "apply",
        "--server-side",
        "-f",
        Path.of("target/kubernetes/keepalivepolicies.keepalive.io-v1.yml").toString());
    for (String ns : List.of(OPERATOR_NAMESPACE, KYVERNO_NAMESPACE)) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(ns)
                  .addToLabels(KYVERNO_OFF, "off")
                  .addToLabels(PodMarks.INJECT_LABEL, "false")
                  .endMetadata()
                  .build())
          .serverSideApply();
    }
    for (Arm arm : Arm.values()) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(arm.namespace)
                  .withLabels(arm.labels())
                  .endMetadata()
                  .build())
          .serverSideApply();
    }
    Path configMaps = work.resolve("kyverno-config.yaml");
    Files.writeString(configMaps, KyvernoReport.KYVERNO_CONFIG);
    ControlPlane.kubectl("apply", "-f", configMaps.toString());
  }

  /** Kyverno's admission controller with its chart's flags, its webhooks registered by URL. */
  Server startKyverno() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(kyvernoBinary.toString());
    command.addAll(
        List.of(
            "--kubeconfig=" + ControlPlane.kubeconfigFile(),
            "--serverIP=127.0.0.1:" + kyvernoWebhook,
            "--webhookServerPort=" + kyvernoWebhook,
            "--servicePort=" + kyvernoWebhook,
            "--metricsPort=" + kyvernoMetrics,
            "--caSecretName=kyverno-svc.kyverno.svc.kyverno-tls-ca",
            "--tlsSecretName=kyverno-svc.kyverno.svc.kyverno-tls-pair",
            "--backgroundServiceAccountName=system:serviceaccount:kyverno:kyverno-background-controller",
            "--reportsServiceAccountName=system:serviceaccount:kyverno:kyverno-reports-controller",
            "--resyncPeriod=15m",
            "--disableMetrics=false",
            "--otelConfig=prometheus",
            "--admissionReports=true",
            "--maxAdmissionReports=1000",
            "--autoUpdateWebhooks=true",
            "--enableConfigMapCaching=true",
            "--enableDeferredLoading=true",
            "--dumpPayload=false",
            "--forceFailurePolicyIgnore=false",
            "--generateValidatingAdmissionPolicy=false",
            "--dumpPatches=false",
            "--maxAPICallResponseLength=2000000",
            "--loggingFormat=text",
            "--v=2",
            "--omitEvents=PolicyApplied,PolicySkipped",
            "--enablePolicyException=false",
            "--protectManagedResources=false",
            "--allowInsecureRegistry=false",
            "--registryCredentialHelpers=default,google,amazon,azure,github"));
    Map<String, String> env =
        Map.of(
            "INIT_CONFIG", "kyverno",
            "METRICS_CONFIG", "kyverno-metrics",
            "KYVERNO_NAMESPACE", KYVERNO_NAMESPACE,
            "KYVERNO_POD_NAME", "kyverno-admission-controller-bench",
            "KYVERNO_SERVICEACCOUNT_NAME", "kyverno-admission-controller",
            "KYVERNO_ROLE_NAME", "kyverno:admission-controller",
            "KYVERNO_SVC", "kyverno-svc",
            "KYVERNO_DEPLOYMENT", "kyverno-admission-controller");
    return start("kyverno", kyvernoCgroup, command, env, false);
  }

  /**
   * The operator as its pod runs it: the image's entrypoint and environment, chrooted into the
   * image's filesystem (read-only, /tmp writable), in a memory cgroup of the chart's limit.
   */
  Server startOperator() throws IOException {
    Path tmp = work.resolve("operator-tmp");
    Files.createDirectories(tmp);
    tmp.toFile().setWritable(true, false);
    Files.writeString(
        tmp.resolve("kubeconfig"), ControlPlane.kubectl("config", "view", "--flatten", "--raw"));
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "bash", "hack/image-rootfs.sh", "run", rootfs.toString(), "1001:1001", tmp.toString()));
    command.addAll(imageEntrypoint());
    // the image has no env(1): chroot passes on this environment, the image's and the container's
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String line : imageEnv()) {
      int eq = line.indexOf('=');
      env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    env.putAll(
        Map.of(
            "KUBECONFIG",
            "/tmp/kubeconfig",
            "HOSTNAME",
            "keepalive-operator-bench",
            "KEEPALIVE_NAMESPACE",
            OPERATOR_NAMESPACE,
            "KEEPALIVE_WEBHOOK_PORT",
            Integer.toString(operatorWebhook),
            "KEEPALIVE_WEBHOOK_URL",
            "https://127.0.0.1:" + operatorWebhook + "/mutate-pods",
            "QUARKUS_HTTP_PORT",
            Integer.toString(operatorHttp)));
    if (!JAVA_TOOL_OPTIONS.isBlank()) {
      env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
    }
    return start("operator", operatorCgroup, command, env, true);
  }

  /**
   * The floor: the smallest Vert.x HTTP server ({@link MinimalVertxHttp}, answering "ok"), run by
   * the image's java with the operator's JVM flags, in the image's filesystem (bench/kyverno.sh put
   * its class in /floor) and a cgroup of the same limit. What a JVM with these flags costs before
   * any of the operator's work.
   */
  Server startFloor() throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                "hack/image-rootfs.sh",
                "run",
                rootfs.toString(),
                "1001:1001",
                work.resolve("floor-tmp").toString()));
    Files.createDirectories(work.resolve("floor-tmp"));
    command.add(imageEntrypoint().get(0));
    command.addAll(
        List.of(
            "-cp",
            "/floor:/deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*",
            MinimalVertxHttp.class.getName(),
            Integer.toString(Ports.free())));
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String line : imageEnv()) {
      int eq = line.indexOf('=');
      env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    if (!JAVA_TOOL_OPTIONS.isBlank()) {
      env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
    }
    return start("floor", floorCgroup, command, env, true);
  }

  /** The image config's Env and Entrypoint, as bench/kyverno.sh read them from the tarball. */
  static List<String> imageEnv() throws IOException {
    return Files.readAllLines(Path.of(System.getProperty("bench.image.env")));
  }

  static List<String> imageEntrypoint() throws IOException {
    return Files.readAllLines(Path.of(System.getProperty("bench.image.entrypoint")));
  }

  /**
   * Starts the command inside the memory cgroup (it enters it before exec), with this environment
   * added to the harness's, or alone when {@code clean}.
   */
  Server start(
      String name, Path cgroup, List<String> command, Map<String, String> env, boolean clean)
      throws IOException {
    Path log = work.resolve(name + ".log");
    List<String> inCgroup = new ArrayList<>();
    inCgroup.addAll(
        List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
    inCgroup.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(inCgroup).redirectErrorStream(true).redirectOutput(log.toFile());
    if (clean) {
      builder.environment().clear();
    }
    builder.environment().putAll(env);
    return new Server(name, builder.start(), log, cgroup);
  }

  /** Kyverno serves, and its mutating webhook for pods carries the policy. */
  void awaitKyverno(Server kyverno) throws Exception {
    await(
        "Kyverno's webhook configurations",
        Duration.ofSeconds(120),
        kyverno,
        () ->
            client
                    .admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withName("kyverno-policy-mutating-webhook-cfg")
                    .get()
                != null);
    Path policy = work.resolve("kyverno-policy.yaml");
    Files.writeString(policy, KyvernoReport.KYVERNO_POLICY);
    await(
        "the ClusterPolicy accepted",
        Duration.ofSeconds(60),
        kyverno,
        () -> {
          try {
            ControlPlane.kubectl("apply", "-f", policy.toString());
            return true;
          } catch (RuntimeException e) {
            return false;
          }
        });
    await(
        "Kyverno's webhook for pods",
        Duration.ofSeconds(120),
        kyverno,
        () -> {
          var config =
              client
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName("kyverno-resource-mutating-webhook-cfg")
                  .get();
          return config != null
              && config.getWebhooks() != null
              && config.getWebhooks().stream()
                  .anyMatch(
                      w ->
                          w.getNamespaceSelector() != null
                              && w.getNamespaceSelector().getMatchExpressions() != null
                              && w.getNamespaceSelector().getMatchExpressions().stream()
                                  .anyMatch(e -> KYVERNO_OFF.equals(e.getKey())));
        });
  }

  /** The operator's readiness (its webhook serves and is registered), then its policy cached. */
  Instant awaitOperator(Server operator) throws Exception {
    await(
        "the operator ready",
        Duration.ofSeconds(120),
        operator,
        () -> {
          try {
            return get("http://127.0.0.1:" + operatorHttp + "/q/health/ready").statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        });
    Instant ready = Instant.now();
    KeepalivePolicy policy =
        Policies.named("keepalive")
            .namespace(Arm.OPERATOR_PATCH.namespace)
            .selecting(Pods.WEB)
            .tcp(300, 30, 5)
            .strategy(InjectionStrategy.SecurityContext)
            .build();
    AgentSettings noAgent = new AgentSettings();
    noAgent.setEnabled(false);
    policy.getSpec().setAgent(noAgent);
    client.resource(policy).create();
    return ready;
  }

  /**
   * One pod per arm until each is treated as its arm says (the operator's policy cache and
   * Kyverno's policy cache filled).
   */
  void checkArms() throws Exception {
    for (Arm arm : Arm.values()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        Pod pod = client.resource(pod(arm, "check")).create();
        if (patched(pod) == arm.patched) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              arm + ": pod " + pod.getMetadata().getName() + " not as expected");
        }
        Thread.sleep(500);
      }
    }
  }

  /** Blocks of pods per arm at RATE per second, arms rotated each round. */
  Phase paced(String name) throws Exception {
    Phase phase = begin(name);
    long interval = (long) (1e9 / RATE);
    long next = System.nanoTime();
    for (int round = 0; round < PACED_ROUNDS; round++) {
      for (Arm arm : rotated(round)) {
        for (int i = 0; i < PACED_BLOCK; i++) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          next += interval;
          create(phase, arm);
        }
      }
    }
    return end(phase);
  }

  /** One pod per arm in turn, each create sent when the previous one returned. */
  Phase backToBack() throws Exception {
    Phase phase = begin("back to back");
    for (int i = 0; i < BACK_TO_BACK; i++) {
      for (Arm arm : rotated(i)) {
        create(phase, arm);
      }
    }
    return end(phase);
  }

  Phase begin(String name) throws Exception {
    Phase phase = new Phase(name);
    phase.before = metrics();
    phase.start = Instant.now();
    return phase;
  }

  Phase end(Phase phase) throws Exception {
    phase.end = Instant.now();
    // the status work a burst of creates causes lands after it: give the operator time to settle
    Thread.sleep(5_000);
    phase.after = metrics();
    return phase;
  }

  static List<Arm> rotated(int by) {
    List<Arm> arms = new ArrayList<>(Arrays.asList(Arm.values()));
    java.util.Collections.rotate(arms, by % arms.size());
    return arms;
  }

  void create(Phase phase, Arm arm) {
    Pod pod = pod(arm, "p");
    long t0 = System.nanoTime();
    Pod created = client.resource(pod).create();
    phase.ms.get(arm).add((System.nanoTime() - t0) / 1e6);
    if (patched(created) != arm.patched) {
      throw new AssertionError(
          arm + ": pod " + created.getMetadata().getName() + " patched=" + patched(created));
    }
  }

  Pod pod(Arm arm, String prefix) {
    return Pods.restricted(arm.namespace, prefix + "-" + (podSerial++), Pods.WEB);
  }

  static boolean patched(Pod pod) {
    var context = pod.getSpec().getSecurityContext();
    List<String> names =
        context == null || context.getSysctls() == null
            ? List.of()
            : context.getSysctls().stream().map(Sysctl::getName).toList();
    if (names.isEmpty()) {
      return false;
    }
    if (!names.containsAll(SYSCTLS)) {
      throw new AssertionError("partly patched: " + names);
    }
    return true;
  }

  Metrics metrics() throws Exception {
    String kyverno = get("http://127.0.0.1:" + kyvernoMetrics + "/metrics").body();
    String operator = get("http://127.0.0.1:" + operatorHttp + "/q/metrics").body();
    Map<Arm, Double> requests = new EnumMap<>(Arm.class);
    for (Arm arm : Arm.values()) {
      requests.put(
          arm,
          sum(
              kyverno,
              "kyverno_admission_requests_total",
              "resource_kind=\"Pod\"",
              "resource_namespace=\"" + arm.namespace + "\""));
    }
    return new Metrics(
        requests,
        sum(kyverno, "kyverno_admission_review_duration_seconds_sum", "resource_kind=\"Pod\""),
        sum(kyverno, "kyverno_admission_review_duration_seconds_count", "resource_kind=\"Pod\""),
        sum(operator, "keepalive_webhook_review_seconds_count"),
        sum(operator, "keepalive_webhook_review_seconds_sum"),
        sum(operator, "keepalive_policy_status_writes_total"),
        sum(operator, "operator_sdk_reconciliations_started_total"));
  }

  /** The sum of a metric's series whose labels contain each of {@code labels}. */
  static double sum(String text, String metric, String... labels) {
    double total = 0;
    Matcher m =
        Pattern.compile("^" + Pattern.quote(metric) + "(\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE)
            .matcher(text);
    while (m.find()) {
      String labelSet = m.group(1) == null ? "" : m.group(1);
      if (Arrays.stream(labels).allMatch(labelSet::contains)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  static HttpResponse<String> get(String url) throws IOException {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(10))
              .header("Accept", "text/plain; version=0.0.4")
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static void await(String what, Duration timeout, Server server, BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (!server.process().isAlive()) {
        throw new IllegalStateException(
            server.name() + " exited while waiting for " + what + ":\n" + tail(server.log()));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static void stop(Server server) throws InterruptedException {
    if (server == null) {
      return;
    }
    server.process().destroy();
    if (!server.process().waitFor(20, TimeUnit.SECONDS)) {
      server.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
