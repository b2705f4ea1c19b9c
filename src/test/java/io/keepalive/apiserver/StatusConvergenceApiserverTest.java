package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keepalive.namespaces.NamespaceRules;
import io.keepalive.operator.PolicyCensus;
import io.keepalive.operator.PolicyStatusBuilder;
import io.keepalive.operator.StatusChange;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.SelectorRequirement;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every policy's status converges after the last change, whatever the order of changes: policies
 * and pods are created, edited and deleted in a random order (the seed is printed, and fixed by
 * -Dconvergence.seed), on a machine kept busy, and then each status must become what a fresh look
 * at the final state gives, within a bound. Policies carry no agent, so no periodic collection can
 * paper over a missed event. A status that stays stale (an older, deleted policy still named as the
 * winner, the count of a pod long gone) fails the test, naming the policy and the difference.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class StatusConvergenceApiserverTest {
  static final Duration CONVERGES_WITHIN = Duration.ofSeconds(20);
  static final int ROUNDS = 3;
  static final int CHANGES_PER_ROUND = 60;
  static final List<String> POLICIES = List.of("p0", "p1", "p2", "p3", "p4");
  static final List<String> PODS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

  @Inject NamespaceRules namespaces;
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void everyStatusConvergesAfterRandomChangesUnderLoad() throws Exception {
    long seed = Long.getLong("convergence.seed", System.nanoTime());
    System.out.println("StatusConvergenceApiserverTest seed " + seed);
    Random random = new Random(seed);
    AtomicBoolean busy = new AtomicBoolean(true);
    List<Thread> load = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      Thread spinner =
          new Thread(
              () -> {
                long x = 0;
                while (busy.get()) {
                  x += System.nanoTime() % 7;
                }
                if (x == 42) {
                  System.out.print("");
                }
              });
      spinner.setDaemon(true);
      spinner.start();
      load.add(spinner);
    }
    try {
      for (int round = 0; round < ROUNDS; round++) {
        // opted out: the webhook leaves the pods alone, so only the status is under test
        String ns =
            TestNamespaces.create(client, "converge", Map.of(PodMarks.INJECT_LABEL, "false"));
        for (int change = 0; change < CHANGES_PER_ROUND; change++) {
          change(ns, random);
          Thread.sleep(random.nextInt(120));
        }
        // and the case the issue saw: the older of two conflicting policies goes last
        conflictThenDeleteTheOlder(ns);
        awaitConvergence(ns, seed);
      }
    } finally {
      busy.set(false);
      for (Thread spinner : load) {
        spinner.join();
      }
    }
  }

  private void conflictThenDeleteTheOlder(String ns) throws InterruptedException {
    client.resource(policy(ns, "zz-older", new PodSelector(Map.of("app", "x")))).create();
    client.resource(Pods.restricted(ns, "x-1", Map.of("app", "x"))).create();
    Thread.sleep(1100); // creation times have a resolution of one second
    client.resource(policy(ns, "aa-younger", new PodSelector(Map.of("app", "x")))).create();
    Thread.sleep(300);
    client.resources(KeepalivePolicy.class).inNamespace(ns).withName("zz-older").delete();
  }

  private static KeepalivePolicy policy(String ns, String name, PodSelector selector) {
    KeepalivePolicy policy = Policies.named(name).namespace(ns).tcp(120, 15, 4).build();
    policy.getSpec().setSelector(selector);
    AgentSettings agent = new AgentSettings();
    agent.setEnabled(false);
    policy.getSpec().setAgent(agent);
    return policy;
  }

  private static PodSelector randomSelector(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> new PodSelector();
      case 1 -> new PodSelector(Map.of("app", random.nextBoolean() ? "web" : "db"));
      case 2 -> new PodSelector(Map.of("tier", "front"));
      case 3 ->
          new PodSelector()
              .with(
                  new SelectorRequirement(
                      "app", SelectorRequirement.Operator.In, List.of("web", "db")));
      default ->
          new PodSelector()
              .with(new SelectorRequirement("tier", SelectorRequirement.Operator.Exists, null));
    };
  }

  private static Map<String, String> randomLabels(Random random) {
    Map<String, String> labels = new TreeMap<>();
    if (random.nextInt(4) > 0) {
      labels.put("app", random.nextBoolean() ? "web" : "db");
    }
    if (random.nextBoolean()) {
      labels.put("tier", random.nextBoolean() ? "front" : "back");
    }
    return labels;
  }

  /** One random change: a policy or a pod is created, edited or deleted. */
  private static void change(String ns, Random random) {
    if (random.nextBoolean()) {
      String name = POLICIES.get(random.nextInt(POLICIES.size()));
      var existing = client.resources(KeepalivePolicy.class).inNamespace(ns).withName(name);
      if (existing.get() == null) {
        client.resource(policy(ns, name, randomSelector(random))).create();
      } else if (random.nextBoolean()) {
        PodSelector selector = randomSelector(random);
        retryingConflicts(
            () ->
                existing.edit(
                    p -> {
                      p.getSpec().setSelector(selector);
                      return p;
                    }));
      } else {
        existing.delete();
      }
    } else {
      String name = PODS.get(random.nextInt(PODS.size()));
      var existing = client.pods().inNamespace(ns).withName(name);
      if (existing.get() == null) {
        client.resource(Pods.restricted(ns, name, randomLabels(random))).create();
      } else if (random.nextBoolean()) {
        Map<String, String> labels = randomLabels(random);
        retryingConflicts(
            () ->
                existing.edit(
                    p -> {
                      p.getMetadata().setLabels(labels);
                      return p;
                    }));
      } else {
        // no kubelet: deletion is immediate with a zero grace period
        existing.withGracePeriod(0).delete();
      }
    }
  }

  /** An edit races the operator's status writes: read again and retry, as kubectl edit would. */
  private static void retryingConflicts(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Each policy's status is what the operator would write if it looked at the final state now: so
   * building it again changes nothing.
   */
  private void awaitConvergence(String ns, long seed) {
    Instant lastChange = Instant.now();
    Map<String, String> stale = new TreeMap<>();
    try {
      Awaitility.await()
          .atMost(CONVERGES_WITHIN)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                stale.clear();
                List<KeepalivePolicy> policies =
                    client.resources(KeepalivePolicy.class).inNamespace(ns).list().getItems();
                List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
                for (KeepalivePolicy policy : policies) {
                  var census =
                      PolicyCensus.take(policy, policies, pods, namespaces.rulesOut(ns, policy));
                  var expected =
                      PolicyStatusBuilder.build(policy, census, null, null, Instant.now());
                  if (StatusChange.changes(policy.getStatus(), expected)) {
                    stale.put(
                        policy.getMetadata().getName(),
                        "is " + describe(policy.getStatus()) + ", should be " + describe(expected));
                  }
                }
                return stale.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      assertEquals(
          Map.of(),
          stale,
          "statuses still stale "
              + Duration.between(lastChange, Instant.now()).toSeconds()
              + " s after the last change (seed "
              + seed
              + ")");
    }
    assertFalse(
        client.resources(KeepalivePolicy.class).inNamespace(ns).list().getItems().isEmpty());
  }

  private static String describe(KeepalivePolicyStatus status) {
    if (status == null) {
      return "no status";
    }
    StringBuilder text =
        new StringBuilder(
            "matched " + status.getMatchedPods() + ", gen " + status.getObservedGeneration());
    status
        .getConditions()
        .forEach(
            c ->
                text.append("; ")
                    .append(c.getType())
                    .append('=')
                    .append(c.getStatus())
                    .append(' ')
                    .append(c.getReason())
                    .append(": ")
                    .append(c.getMessage()));
    return text.toString();
  }
}
