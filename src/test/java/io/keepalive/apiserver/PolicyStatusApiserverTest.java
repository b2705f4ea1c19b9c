package io.keepalive.apiserver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.keepalive.operator.KeepalivePolicyReconciler;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator, running against a real kube-apiserver, tells the truth on a policy's status as pods
 * come, change labels and go, and as policies overlap; and it stays quiet when nothing changes.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class PolicyStatusApiserverTest {
  static final Duration WITHIN = Duration.ofSeconds(15);
  static KubernetesClient client;
  String namespace;

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @BeforeEach
  void namespace() {
    // One per test: selectors must not see other tests' pods. The namespace opts out of the
    // webhook, so whether a
    // pod created right after its policy gets injected does not depend on the webhook's cache
    // (WebhookApiserverTest
    // covers injection); the status then counts the pods as skipped, OptedOut.
    namespace = TestNamespaces.create(client, "status", Map.of(PodMarks.INJECT_LABEL, "false"));
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void matchedPodsFollowPodsBeingCreatedRelabelledAndDeleted() {
    var app = Map.of("app", "web");
    client.resource(Policies.policy(namespace, "web", app, 120, 15, 4)).create();
    awaitStatus("web", s -> assertEquals(0, s.getStatus().getMatchedPods()));

    client.resource(Pods.restricted(namespace, "web-1", app)).create();
    client.resource(Pods.restricted(namespace, "web-2", app)).create();
    client.resource(Pods.restricted(namespace, "other", Map.of("app", "db"))).create();
    awaitStatus("web", s -> assertEquals(2, s.getStatus().getMatchedPods()));

    client
        .pods()
        .inNamespace(namespace)
        .withName("other")
        .edit(
            p -> {
              p.getMetadata().getLabels().put("app", "web");
              return p;
            });
    awaitStatus("web", s -> assertEquals(3, s.getStatus().getMatchedPods()));

    client
        .pods()
        .inNamespace(namespace)
        .withName("web-1")
        .edit(
            p -> {
              p.getMetadata().getLabels().put("app", "gone");
              return p;
            });
    awaitStatus("web", s -> assertEquals(2, s.getStatus().getMatchedPods()));

    client.pods().inNamespace(namespace).withName("web-2").delete();
    awaitStatus(
        "web",
        s -> {
          assertEquals(1, s.getStatus().getMatchedPods());
          Condition ready = s.getStatus().condition(ConditionTypes.READY);
          assertEquals("False", ready.getStatus());
          assertEquals("AllPodsSkipped", ready.getReason());
          assertTrue(
              ready
                  .getMessage()
                  .contains(
                      "1 pod OptedOut (label keepalive.io/inject=false on the pod or namespace)"),
              ready.getMessage());
        });
  }

  @Test
  void youngerOverlappingPolicyReportsConflictNamingTheOlder() throws InterruptedException {
    var labels = Map.of("tier", "api");
    // created first, so older, although its name sorts last: age decides, not the name
    client.resource(Policies.policy(namespace, "zeta-older", labels, 100, 10, 3)).create();
    Thread.sleep(1100); // creationTimestamp has a resolution of one second
    client.resource(Policies.policy(namespace, "alpha-younger", Map.of(), 200, 10, 3)).create();
    for (int i = 0; i < 3; i++) {
      client.resource(Pods.restricted(namespace, "api-" + i, labels)).create();
    }
    client.resource(Pods.restricted(namespace, "lonely", Map.of("tier", "batch"))).create();

    awaitStatus(
        "alpha-younger",
        p -> {
          Condition conflict = p.getStatus().condition(ConditionTypes.CONFLICT);
          assertEquals("True", conflict.getStatus(), conflict.getMessage());
          assertEquals("OverlapsOlderPolicy", conflict.getReason());
          assertTrue(
              conflict.getMessage().contains("'zeta-older' (3 pods)"), conflict.getMessage());
          assertTrue(conflict.getMessage().startsWith("3 of "), conflict.getMessage());
        });
    awaitStatus(
        "zeta-older",
        p -> {
          Condition conflict = p.getStatus().condition(ConditionTypes.CONFLICT);
          assertEquals("False", conflict.getStatus());
          assertTrue(conflict.getMessage().contains("alpha-younger"), conflict.getMessage());
          assertEquals(3, p.getStatus().getMatchedPods());
        });

    // the older one narrows its selector away: the younger one now wins the pods
    client
        .resources(KeepalivePolicy.class)
        .inNamespace(namespace)
        .withName("zeta-older")
        .edit(
            p -> {
              p.getSpec().getSelector().setMatchLabels(Map.of("tier", "none"));
              return p;
            });
    awaitStatus(
        "alpha-younger",
        p -> assertEquals("False", p.getStatus().condition(ConditionTypes.CONFLICT).getStatus()));
  }

  @Test
  void podsCreatedBeforeThePolicyAwaitARestart() {
    String ns = TestNamespaces.create(client, "restart");
    client
        .resource(Pods.restricted(ns, "early", Map.of("app", "early")))
        .create(); // no policy yet: nothing injected
    client.resource(Policies.policy(ns, "late", Map.of("app", "early"), 120, 15, 4)).create();
    Policies.awaitStatus(
        client,
        ns,
        "late",
        WITHIN,
        p -> {
          Condition ready = p.getStatus().condition(ConditionTypes.READY);
          assertEquals("PodsAwaitingRestart", ready.getReason());
          assertTrue(
              ready.getMessage().startsWith("1 of 1 pod run without generation 1: 1 without it"),
              ready.getMessage());
        });
  }

  @Test
  void podSecurityThatRulesTheStrategyOutIsNamedOnTheStatus() {
    String ns =
        TestNamespaces.create(
            client, "restricted", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    var policy = Policies.policy(ns, "needs-privilege", Map.of("app", "r"), 120, 15, 4);
    policy.getSpec().setStrategy(InjectionStrategy.InitContainer);
    client.resource(policy).create();
    client
        .resource(Pods.restricted(ns, "r-1", Map.of("app", "r")))
        .create(); // admitted: nothing privileged injected
    Policies.awaitStatus(
        client,
        ns,
        "needs-privilege",
        WITHIN,
        p -> {
          Condition ready = p.getStatus().condition(ConditionTypes.READY);
          assertEquals("False", ready.getStatus());
          assertEquals("AllPodsSkipped", ready.getReason());
          assertTrue(
              ready
                  .getMessage()
                  .contains(
                      "PodSecurityForbidsPrivileged (the namespace's Pod Security rejects "
                          + "the privileged init container"),
              ready.getMessage());
        });
    assertEquals(
        null,
        client.pods().inNamespace(ns).withName("r-1").get().getSpec().getInitContainers().stream()
            .filter(
                c ->
                    c.getSecurityContext() != null
                        && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()))
            .findAny()
            .orElse(null));
  }

  @Test
  void observedGenerationFollowsSpecEdits() {
    client.resource(Policies.policy(namespace, "gen", Map.of("app", "gen"), 120, 15, 4)).create();
    awaitStatus("gen", p -> assertEquals(1L, p.getStatus().getObservedGeneration()));
    client
        .resources(KeepalivePolicy.class)
        .inNamespace(namespace)
        .withName("gen")
        .edit(
            p -> {
              p.getSpec().getTcp().setTimeSeconds(90);
              return p;
            });
    awaitStatus(
        "gen",
        p -> {
          assertEquals(2L, p.getMetadata().getGeneration());
          assertEquals(2L, p.getStatus().getObservedGeneration());
          p.getStatus().getConditions().forEach(c -> assertEquals(2L, c.getObservedGeneration()));
        });
  }

  @Test
  void anUnchangedWorldCausesNoStatusWrites() throws InterruptedException {
    String ns = TestNamespaces.create(client, "idle", Map.of(PodMarks.INJECT_LABEL, "false"));
    client.resource(Policies.policy(ns, "quiet", Map.of("app", "q"), 120, 15, 4)).create();
    client.resource(Pods.restricted(ns, "q-1", Map.of("app", "q"))).create();
    Policies.awaitStatus(
        client, ns, "quiet", WITHIN, p -> assertEquals(1, p.getStatus().getMatchedPods()));

    // One watch for both phases: the count of the idle phase is only worth something if the same
    // watch, still
    // open, then sees the write a relevant change causes; and a watch that dies (onClose with a
    // cause) fails
    // the test instead of leaving the count at 0.
    AtomicInteger modifications = new AtomicInteger();
    AtomicReference<WatcherException> closedBy = new AtomicReference<>();
    try (Watch ignored =
        client
            .resources(KeepalivePolicy.class)
            .inNamespace(ns)
            .withName("quiet")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, KeepalivePolicy resource) {
                    if (action == Action.MODIFIED) {
                      modifications.incrementAndGet();
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    closedBy.set(cause);
                  }
                })) {
      // irrelevant pod churn: a pod the policy does not select, and an unrelated change to a
      // matched pod
      client.resource(Pods.restricted(ns, "unrelated", Map.of("app", "other"))).create();
      client
          .pods()
          .inNamespace(ns)
          .withName("q-1")
          .edit(
              p -> {
                p.getMetadata().setAnnotations(Map.of("unrelated/annotation", "x"));
                return p;
              });
      Thread.sleep(10_000);
      assertNull(closedBy.get(), "the watch closed during the idle period, so it counted nothing");
      assertEquals(0, modifications.get(), "status writes while nothing relevant changed");

      // the control: a relevant change, seen by the same watch (the count can fail)
      client.resource(Pods.restricted(ns, "q-2", Map.of("app", "q"))).create();
      await()
          .atMost(WITHIN)
          .until(
              () -> {
                if (closedBy.get() != null) {
                  throw new IllegalStateException(
                      "the watch closed before it saw the status write", closedBy.get());
                }
                return modifications.get() >= 1;
              });
    }
  }

  /**
   * Pod creation must not cost a status write per pod: a burst of pods under one policy is written
   * in a few writes, at most one per {@link KeepalivePolicyReconciler#STATUS_WINDOW_SECONDS} (and
   * one at the start), however many pods came.
   */
  @Test
  void aBurstOfPodsCostsAFewStatusWritesNotOnePerPod() throws Exception {
    String ns = TestNamespaces.create(client, "burst", Map.of(PodMarks.INJECT_LABEL, "false"));
    client.resource(Policies.policy(ns, "burst", Map.of("app", "b"), 120, 15, 4)).create();
    Policies.awaitStatus(
        client, ns, "burst", WITHIN, p -> assertEquals(0, p.getStatus().getMatchedPods()));
    int pods = 40;
    AtomicInteger modifications = new AtomicInteger();
    try (Watch ignored =
        client
            .resources(KeepalivePolicy.class)
            .inNamespace(ns)
            .withName("burst")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, KeepalivePolicy resource) {
                    if (action == Action.MODIFIED) {
                      modifications.incrementAndGet();
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      long start = System.nanoTime();
      IntStream.range(0, pods)
          .parallel()
          .forEach(
              i -> client.resource(Pods.restricted(ns, "b-" + i, Map.of("app", "b"))).create());
      double burstSeconds = (System.nanoTime() - start) / 1e9;
      Policies.awaitStatus(
          client, ns, "burst", WITHIN, p -> assertEquals(pods, p.getStatus().getMatchedPods()));
      Thread.sleep(1000L * KeepalivePolicyReconciler.STATUS_WINDOW_SECONDS + 1000);
      int allowed = 2 + (int) (burstSeconds / KeepalivePolicyReconciler.STATUS_WINDOW_SECONDS);
      assertTrue(
          modifications.get() <= allowed,
          modifications.get()
              + " status writes for "
              + pods
              + " pods created in "
              + burstSeconds
              + " s; at most "
              + allowed);
    }
  }

  @Test
  void kubectlGetShowsThePrinterColumns() {
    client
        .resource(Policies.policy(namespace, "columns", Map.of("app", "cols"), 111, 22, 5))
        .create();
    client.resource(Pods.restricted(namespace, "cols-1", Map.of("app", "cols"))).create();
    awaitStatus("columns", p -> assertEquals(1, p.getStatus().getMatchedPods()));

    String table = ControlPlane.kubectl("get", "kap", "columns", "-n", namespace);
    List<String> lines = table.lines().toList();
    assertEquals(
        List.of("NAME", "TIME", "INTERVAL", "PROBES", "MATCHED", "INJECTED", "READY", "AGE"),
        List.of(lines.get(0).trim().split("\\s+")),
        table);
    List<String> row = List.of(lines.get(1).trim().split("\\s+"));
    assertEquals(List.of("columns", "111", "22", "5", "1", "0", "False"), row.subList(0, 7), table);

    String wide =
        ControlPlane.kubectl("get", "keepalivepolicies", "columns", "-n", namespace, "-o", "wide");
    assertTrue(wide.lines().findFirst().orElseThrow().contains("REASON"), wide);
    assertTrue(wide.contains("AllPodsSkipped"), wide);
  }

  /** A policy of this test's namespace. */
  private void awaitStatus(String name, Consumer<KeepalivePolicy> assertion) {
    Policies.awaitStatus(client, namespace, name, WITHIN, assertion);
  }
}
