package io.keepalive.bench;

import io.keepalive.bench.KyvernoComparison.Arm;
import io.keepalive.bench.KyvernoComparison.Metrics;
import io.keepalive.bench.KyvernoComparison.Phase;
import io.keepalive.testing.ControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Writes bench/results/kyverno.md from one run of {@link KyvernoComparison}. */
final class KyvernoReport {
  /**
   * Kyverno's two ConfigMaps, as its chart writes them (resource filters shortened to the generic
   * ones); its webhooks skip namespaces labelled {@code bench.keepalive.io/kyverno=off}.
   */
  static final String KYVERNO_CONFIG =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: kyverno, namespace: kyverno}
      data:
        enableDefaultRegistryMutation: "true"
        defaultRegistry: docker.io
        excludeGroups: system:nodes
        generateSuccessEvents: "false"
        resourceFilters: '[Event,*,*][*/*,kube-system,*][*/*,kube-public,*][*/*,kube-node-lease,*][Node,*,*][Node/*,*,*][APIService,*,*][APIService/*,*,*][TokenReview,*,*][SubjectAccessReview,*,*][SelfSubjectAccessReview,*,*][Binding,*,*][Pod/binding,*,*][ReplicaSet,*,*][ReplicaSet/*,*,*][EphemeralReport,*,*][ClusterEphemeralReport,*,*]'
        webhooks: '{"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","kyverno"]},{"key":"bench.keepalive.io/kyverno","operator":"NotIn","values":["off"]}]}}'
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: kyverno-metrics, namespace: kyverno}
      data:
        namespaces: '{"include":[],"exclude":[]}'
        metricsRefreshInterval: 24h
      """;

  /**
   * What a platform engineer would write instead of a KeepalivePolicy: the three sysctls merged
   * into the pod's securityContext. (A strategic merge replaces a pod's own sysctls list,
   * kyverno#12491: the operator keeps them; a policy that does too needs a foreach and costs
   * Kyverno more.)
   */
  static final String KYVERNO_POLICY =
      """
      apiVersion: kyverno.io/v1
      kind: ClusterPolicy
      metadata:
        name: %s
        annotations:
          pod-policies.kyverno.io/autogen-controllers: none
      spec:
        rules:
        - name: add-keepalive-sysctls
          match:
            any:
            - resources:
                kinds: [Pod]
                operations: [CREATE]
                namespaces: [%s]
          mutate:
            patchStrategicMerge:
              spec:
                securityContext:
                  sysctls:
                  - {name: net.ipv4.tcp_keepalive_time, value: "300"}
                  - {name: net.ipv4.tcp_keepalive_intvl, value: "30"}
                  - {name: net.ipv4.tcp_keepalive_probes, value: "5"}
      """
          .formatted(KyvernoComparison.KYVERNO_POLICY, Arm.KYVERNO_PATCH.namespace);

  private final List<Phase> phases;
  private final MemorySampler memory;
  private final MemorySampler.Sample settled;
  private final KyvernoComparison.Floor floor;
  private final Instant operatorReady;
  private final String loadBefore;

  KyvernoReport(
      List<Phase> phases,
      MemorySampler memory,
      MemorySampler.Sample settled,
      KyvernoComparison.Floor floor,
      Instant operatorReady,
      String loadBefore) {
    this.floor = floor;
    this.phases = phases;
    this.memory = memory;
    this.settled = settled;
    this.operatorReady = operatorReady;
    this.loadBefore = loadBefore;
  }

  void write(Path out, KyvernoComparison.Server kyverno, KyvernoComparison.Server operator)
      throws Exception {
    checkRouting();
    StringBuilder md = new StringBuilder();
    md.append(
        """
        # Side by side with Kyverno: pod creation and memory on one API server

        Run by `bench/kyverno.sh` (class `io.keepalive.bench.KyvernoComparison`, not part of `./mvnw verify`).

        - date: %s
        - machine: %s
        - load average (1/5/15 min, runnable/total, last pid) before: %s, after: %s
        - Kubernetes: real kube-apiserver %s + etcd (the apiserver tier's binaries), no kubelet (pods stay Pending)
        - Kyverno %s admission controller built from its Go module (%s), out of cluster: `--kubeconfig`,
          `--serverIP` (webhooks by URL on loopback), its chart's default flags and ConfigMaps, in a memory cgroup of
          its chart's limit (%s)
        - the operator: the image `./mvnw package` writes, unpacked and run as its pod runs it (read-only root,
          uid 1001, entrypoint `%s`), in a memory cgroup of the chart's limit (%s), as in the pod%s
        - the floor: `io.keepalive.bench.MinimalVertxHttp` (a Vert.x HTTP server answering "ok", nothing else) run
          by the image's java with the operator's JVM flags, idle, in a cgroup of the same limit
        - one client (fabric8, in the harness JVM) creates restricted pods one at a time; the arms alternate, each
          in its own namespace, so that the machine's load falls on all alike. Measuring starts when the operator
          turns ready (one pod per arm checks the routing first): the JVM's first minutes are in the first phase.

        """
            .formatted(
                Instant.now(),
                machine(),
                loadBefore,
                Files.readString(Path.of("/proc/loadavg")).trim(),
                ControlPlane.kubernetesVersion(),
                System.getProperty("bench.kyverno.version"),
                System.getProperty("bench.kyverno.go"),
                limit(kyverno.cgroup()),
                String.join(" ", KyvernoComparison.imageEntrypoint()),
                limit(operator.cgroup()),
                KyvernoComparison.JAVA_TOOL_OPTIONS.isBlank()
                    ? "; no JAVA_TOOL_OPTIONS"
                    : "; `JAVA_TOOL_OPTIONS="
                        + KyvernoComparison.JAVA_TOOL_OPTIONS
                        + "` ("
                        + KyvernoComparison.JAVA_TOOL_OPTIONS_FROM
                        + ")"));
    headline(md);
    for (Phase phase : phases) {
      phaseTable(md, phase);
    }
    statusWork(md);
    memoryTimeline(md);
    md.append(
        """

        ## The policies

        The operator: a KeepalivePolicy selecting `app=web` with `tcp: {timeSeconds: 300, intervalSeconds: 30,
        probes: 5}`, `strategy: SecurityContext`, `agent.enabled: false` (sysctls only, like the Kyverno policy).
        Kyverno:

        ```yaml
        %s```
        """
            .formatted(KYVERNO_POLICY));
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println(md);
  }

  /** Each arm reached the webhook it names and no other. */
  private void checkRouting() {
    for (Phase phase : phases) {
      for (Arm arm : Arm.values()) {
        double calls =
            phase.after.kyvernoRequests().get(arm) - phase.before.kyvernoRequests().get(arm);
        double expected = arm.kyverno ? phase.ms.get(arm).size() : 0;
        if (calls != expected) {
          throw new AssertionError(
              phase.name + ", " + arm + ": Kyverno saw " + calls + " pod creates, not " + expected);
        }
      }
      double reviews = phase.after.operatorReviews() - phase.before.operatorReviews();
      double expected =
          phase.ms.get(Arm.OPERATOR_PATCH).size() + phase.ms.get(Arm.OPERATOR_CALLED).size();
      if (reviews != expected) {
        throw new AssertionError(
            phase.name + ": the operator answered " + reviews + " reviews, not " + expected);
      }
    }
  }

  private void headline(StringBuilder md) {
    Phase first = phases.get(0);
    md.append(
        """
        ## Both systems, per pod create (median of each arm minus the median with no webhook)

        | | Kyverno | this operator | operator / Kyverno | goal |
        |---|---|---|---|---|
        """);
    for (Phase phase : phases) {
      double k = phase.added(Arm.KYVERNO_PATCH), o = phase.added(Arm.OPERATOR_PATCH);
      md.append(
          "| added by a patching webhook, %s | %s ms | %s ms | %s | <= 0.5: %s |\n"
              .formatted(phase.name, ms(k), ms(o), ratio(o, k), o <= 0.5 * k ? "met" : "MISSED"));
    }
    for (Phase phase : phases) {
      double k = phase.added(Arm.KYVERNO_CALLED), o = phase.added(Arm.OPERATOR_CALLED);
      md.append(
          "| added by a call without a patch, %s | %s ms | %s ms | %s | <= 1: %s |\n"
              .formatted(phase.name, ms(k), ms(o), ratio(o, k), o <= k ? "met" : "MISSED"));
    }
    for (Phase phase : phases) {
      Metrics a = phase.after, b = phase.before;
      double k =
          (a.kyvernoReviewSeconds() - b.kyvernoReviewSeconds())
              / (a.kyvernoReviews() - b.kyvernoReviews())
              * 1000;
      double o =
          (a.operatorReviewSeconds() - b.operatorReviewSeconds())
              / (a.operatorReviews() - b.operatorReviews())
              * 1000;
      md.append(
          "| the webhook's own mean time per review (its metrics), %s | %s ms | %s ms | %s | |\n"
              .formatted(phase.name, ms(k), ms(o), ratio(o, k)));
    }
    Instant end = phases.get(phases.size() - 1).end;
    var all = memory.between(operatorReady, end);
    long kRss = MemorySampler.max(all, MemorySampler.Sample::kyvernoRss);
    long oRss = MemorySampler.max(all, MemorySampler.Sample::operatorRss);
    md.append(
        "| peak RSS under this load | %s | %s | %s | <= 1: %s |\n"
            .formatted(mib(kRss), mib(oRss), ratio(oRss, kRss), oRss <= kRss ? "met" : "MISSED"));
    md.append(
        "| RSS 10 s after the last create | %s | %s | %s | |\n"
            .formatted(
                mib(settled.kyvernoRss()),
                mib(settled.operatorRss()),
                ratio(settled.operatorRss(), settled.kyvernoRss())));
    md.append(
        "| of it anonymous (RssAnon: heap, stacks, JIT code; the rest is mapped files) | %s | %s | %s | |\n"
            .formatted(
                mib(settled.kyvernoAnon()),
                mib(settled.operatorAnon()),
                ratio(settled.operatorAnon(), settled.kyvernoAnon())));
    md.append(
        "| peak memory cgroup usage (what the pod's limit counts, page cache included) | %s | %s | %s | |\n"
            .formatted(
                mib(MemorySampler.max(all, MemorySampler.Sample::kyvernoCgroup)),
                mib(MemorySampler.max(all, MemorySampler.Sample::operatorCgroup)),
                ratio(
                    MemorySampler.max(all, MemorySampler.Sample::operatorCgroup),
                    MemorySampler.max(all, MemorySampler.Sample::kyvernoCgroup))));
    md.append(
        """

        The floor of a JVM with the operator's flags (`MinimalVertxHttp`, idle, at the end of the run), against
        the operator 10 s after the last create:

        | | floor | operator | operator / floor |
        |---|---|---|---|
        | RSS | %s | %s | %s |
        | RssAnon | %s | %s | %s |
        | memory cgroup usage | %s | %s | %s |
        """
            .formatted(
                mib(floor.rss()),
                mib(settled.operatorRss()),
                ratio(settled.operatorRss(), floor.rss()),
                mib(floor.anon()),
                mib(settled.operatorAnon()),
                ratio(settled.operatorAnon(), floor.anon()),
                mib(floor.cgroup()),
                mib(settled.operatorCgroup()),
                ratio(settled.operatorCgroup(), floor.cgroup())));
    md.append(
        "\nThe first phase starts %.0f s after the operator turned ready and lasts %.0f s.\n"
            .formatted(
                Duration.between(operatorReady, first.start).toMillis() / 1000.0,
                Duration.between(first.start, first.end).toMillis() / 1000.0));
  }

  private void phaseTable(StringBuilder md, Phase phase) {
    md.append(
        """

        ## %s

        %d creates from %.0f s to %.0f s after the operator turned ready.

        | arm | creates | median | p90 | p99 | added (median) |
        |---|---|---|---|---|---|
        """
            .formatted(
                phase.name,
                phase.creates(),
                Duration.between(operatorReady, phase.start).toMillis() / 1000.0,
                Duration.between(operatorReady, phase.end).toMillis() / 1000.0));
    for (Arm arm : Arm.values()) {
      md.append(
          "| %s | %d | %s ms | %s ms | %s ms | %s |\n"
              .formatted(
                  arm.title,
                  phase.ms.get(arm).size(),
                  ms(phase.quantile(arm, 0.5)),
                  ms(phase.quantile(arm, 0.9)),
                  ms(phase.quantile(arm, 0.99)),
                  arm == Arm.NONE ? "floor" : "+" + ms(phase.added(arm)) + " ms"));
    }
  }

  private void statusWork(StringBuilder md) {
    md.append(
        """

        ## Status work caused by pod creation (the operator)

        Pods created in the namespace of the operator's policy, the policy's status writes and the reconciles
        meanwhile (counted until 5 s after each phase, from the operator's metrics).

        | phase | pods created under the policy | status writes | per pod | reconciles | per pod |
        |---|---|---|---|---|---|
        """);
    for (Phase phase : phases) {
      int pods = phase.ms.get(Arm.OPERATOR_PATCH).size();
      double writes = phase.after.statusWrites() - phase.before.statusWrites();
      double reconciles = phase.after.reconciles() - phase.before.reconciles();
      md.append(
          "| %s | %d | %.0f | %s | %.0f | %s |\n"
              .formatted(
                  phase.name,
                  pods,
                  writes,
                  ratio(writes, pods),
                  reconciles,
                  ratio(reconciles, pods)));
    }
  }

  private void memoryTimeline(StringBuilder md) {
    md.append(
        """

        ## Memory over the run (KiB; every 30 s)

        | s after ready | operator RSS | operator RssAnon | operator cgroup | Kyverno RSS | Kyverno RssAnon | Kyverno cgroup |
        |---|---|---|---|---|---|---|
        """);
    Instant next = operatorReady;
    for (MemorySampler.Sample s : memory.between(operatorReady, Instant.now())) {
      if (s.at().isBefore(next)) {
        continue;
      }
      next = s.at().plusSeconds(30);
      md.append(
          "| %.0f | %d | %d | %d | %d | %d | %d |\n"
              .formatted(
                  Duration.between(operatorReady, s.at()).toMillis() / 1000.0,
                  s.operatorRss(),
                  s.operatorAnon(),
                  s.operatorCgroup(),
                  s.kyvernoRss(),
                  s.kyvernoAnon(),
                  s.kyvernoCgroup()));
    }
  }

  static String machine() throws Exception {
    long memKb =
        Files.readAllLines(Path.of("/proc/meminfo")).stream()
            .filter(l -> l.startsWith("MemTotal"))
            .map(l -> Long.parseLong(l.replaceAll("\\D+", "")))
            .findFirst()
            .orElse(0L);
    String cpu =
        Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("?");
    return "%d CPUs (%s), %.1f GiB memory, kernel %s"
        .formatted(
            Runtime.getRuntime().availableProcessors(),
            cpu,
            memKb / 1024.0 / 1024.0,
            Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
  }

  private static String limit(Path cgroup) throws Exception {
    for (String file : List.of("memory.max", "memory.limit_in_bytes")) {
      Path path = cgroup.resolve(file);
      if (Files.exists(path)) {
        return mib(Long.parseLong(Files.readString(path).trim()) / 1024);
      }
    }
    return "?";
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String mib(long kib) {
    return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
  }

  static String ratio(double a, double b) {
    return b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
  }
}
