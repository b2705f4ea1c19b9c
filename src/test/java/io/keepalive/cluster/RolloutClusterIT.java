package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.rollout Automatic on the real cluster. Installed with the chart's default values the
 * operator may not restart anything and says so; with rollout.enabled=true (helm upgrade) it
 * restarts a Deployment created before the policy exactly once, whose new pods carry the values
 * (read inside the container), reports a bare pod instead of touching it, leaves a Deployment the
 * policy does not select alone, stops a namespace's rollout at a Deployment whose new pods cannot
 * start (a ResourceQuota refuses them) and names why, and never restarts anything in its own
 * namespace, not even itself. The chart's default values are put back at the end.
 */
@ExtendWith(LocalCluster.class)
class RolloutClusterIT {
  static final String ROLLED_OUT = "RolledOut";
  private static String ns;
  private static String fragile;

  @BeforeAll
  static void workloadsCreatedBeforeThePolicies() {
    ns = Workloads.namespace("rollout", "restricted");
    Workloads.apply(Workloads.sleepers(ns, "orders", "orders", 2));
    Workloads.apply(Workloads.sleepers(ns, "other", "other", 1));
    Workloads.apply(barePod(ns, "solo", "orders"));

    // two Deployments of one policy; a quota of two pods leaves no room for a new one
    fragile = Workloads.namespace("rollout-quota", "restricted");
    Workloads.apply(
        """
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: two-pods, namespace: %s}
        spec: {hard: {pods: "2"}}
        """
            .formatted(fragile));
    Workloads.apply(
        Workloads.sleepers(fragile, "a-broken", "fragile", 1)
            .replace(
                "spec:\n  replicas: 1", "spec:\n  progressDeadlineSeconds: 10\n  replicas: 1"));
    Workloads.apply(Workloads.sleepers(fragile, "b-waiting", "fragile", 1));
    for (String[] d :
        new String[][] {
          {ns, "orders"}, {ns, "other"}, {fragile, "a-broken"}, {fragile, "b-waiting"}
        }) {
      Workloads.awaitRollout(d[0], d[1]);
    }
    Workloads.runningPods(ns, "solo", 1);
  }

  @AfterAll
  static void cleanUp() {
    Workloads.deleteNamespace(ns);
    Workloads.deleteNamespace(fragile);
    LocalCluster.kubectlResult(
        "delete",
        "keepalivepolicy",
        "itself",
        "-n",
        LocalCluster.OPERATOR_NAMESPACE,
        "--ignore-not-found");
    LocalCluster.installChart(); // the chart's default values again, for the classes after this one
  }

  @Test
  void runningWorkloadsAreBroughtInLineOnlyWhenTheUserTurnsItOn() {
    List<String> ordersPods = podNames(ns, "orders");
    Workloads.policy(ns, "orders", "orders", "240/20/3", "Auto", "rollout: Automatic");
    Workloads.policy(fragile, "fragile", "fragile", "240/20/3", "Auto", "rollout: Automatic");

    // 1. the chart's defaults: no rights, nothing restarted, and the status says so
    awaitRolledOut(
        ns,
        "orders",
        c -> {
          assertEquals("False/RolloutNotPermitted", c.getStatus() + "/" + c.getReason());
          assertTrue(c.getMessage().contains("rollout.enabled=true"), c.getMessage());
        });
    assertEquals(ordersPods, podNames(ns, "orders"));
    assertNull(restartedFor(ns, "orders"));

    // 2. the user turns it on
    LocalCluster.helm(
        "upgrade",
        LocalCluster.RELEASE,
        LocalCluster.projectDir().resolve("helm/keepalive-operator").toString(),
        "--namespace",
        LocalCluster.OPERATOR_NAMESPACE,
        "--reuse-values",
        "--set",
        "rollout.enabled=true",
        "--wait",
        "--timeout",
        "5m");

    // the Deployment created before the policy is restarted once and its new pods carry the values
    Awaitility.await()
        .atMost(Workloads.READY_WITHIN)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> "orders:1".equals(restartedFor(ns, "orders")));
    Workloads.awaitRollout(ns, "orders");
    for (Pod pod : Workloads.runningPods(ns, "orders", 2)) {
      assertTrue(!ordersPods.contains(pod.getMetadata().getName()), "a new pod");
      assertEquals("240/20/3", Workloads.keepaliveSeenBy(pod, "app"), "restarted under the policy");
    }
    awaitRolledOut(
        ns,
        "orders",
        c -> {
          // the bare pod still waits: reported, never touched
          assertEquals("False/PodsNeedManualRestart", c.getStatus() + "/" + c.getReason());
          assertTrue(
              c.getMessage().contains("pod solo: no workload owns it (a bare pod)"),
              c.getMessage());
        });
    KeepalivePolicy orders = policy(ns, "orders");
    assertEquals(List.of("Deployment/orders"), orders.getStatus().getRollout().getRestarted());
    assertEquals(
        List.of("pod solo: no workload owns it (a bare pod)"),
        orders.getStatus().getRollout().getNotRestarted());

    // a second reconcile restarts nothing: a new pod of the namespace changes the status (so the
    // policy was reconciled again), the Deployment stays as it was
    Deployment restarted = deployment(ns, "orders");
    List<String> newPods = podNames(ns, "orders");
    Workloads.apply(barePod(ns, "solo-2", "orders"));
    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        "orders",
        Workloads.READY_WITHIN,
        p -> assertEquals(4, p.getStatus().getMatchedPods()));
    Deployment after = deployment(ns, "orders");
    assertEquals(restarted.getMetadata().getGeneration(), after.getMetadata().getGeneration());
    assertEquals(
        restarted.getSpec().getTemplate().getMetadata().getAnnotations(),
        after.getSpec().getTemplate().getMetadata().getAnnotations());
    assertEquals(newPods, podNames(ns, "orders"));

    // never a workload the policy does not select
    assertNull(restartedFor(ns, "other"));
    assertEquals(1, deployment(ns, "other").getMetadata().getGeneration());

    // 3. new pods that cannot start stop the namespace's rollout, with the reason
    awaitRolledOut(
        fragile,
        "fragile",
        c -> {
          assertEquals("False/RolloutStalled", c.getStatus() + "/" + c.getReason());
          assertTrue(
              c.getMessage()
                  .startsWith("Deployment/a-broken: its rollout exceeded its progress deadline"),
              c.getMessage());
          assertTrue(c.getMessage().contains("exceeded quota"), c.getMessage());
          assertTrue(c.getMessage().contains("Waiting: Deployment/b-waiting."), c.getMessage());
        });
    assertEquals("fragile:1", restartedFor(fragile, "a-broken"));
    assertNull(restartedFor(fragile, "b-waiting"), "the rollout stopped before it");
    assertEquals(
        List.of("Deployment/b-waiting"),
        policy(fragile, "fragile").getStatus().getRollout().getWaiting());

    // 4. never in the operator's own namespace: a policy there selecting the operator itself
    Deployment operator = deployment(LocalCluster.OPERATOR_NAMESPACE, LocalCluster.RELEASE);
    Workloads.apply(
        """
        apiVersion: keepalive.io/v1alpha1
        kind: KeepalivePolicy
        metadata: {name: itself, namespace: %s}
        spec:
          selector: {matchLabels: {app.kubernetes.io/part-of: keepalive-operator}}
          tcp: {timeSeconds: 240}
          rollout: Automatic
        """
            .formatted(LocalCluster.OPERATOR_NAMESPACE));
    awaitRolledOut(
        LocalCluster.OPERATOR_NAMESPACE,
        "itself",
        c -> assertEquals("False/OperatorNamespace", c.getStatus() + "/" + c.getReason()));
    Deployment operatorAfter = deployment(LocalCluster.OPERATOR_NAMESPACE, LocalCluster.RELEASE);
    assertEquals(
        operator.getMetadata().getGeneration(), operatorAfter.getMetadata().getGeneration());
    assertNull(restartedFor(LocalCluster.OPERATOR_NAMESPACE, LocalCluster.RELEASE));
  }

  private static void awaitRolledOut(String namespace, String name, Consumer<Condition> assertion) {
    Policies.awaitStatus(
        LocalCluster.client(),
        namespace,
        name,
        Workloads.READY_WITHIN,
        p -> {
          Condition c = p.getStatus().condition(ROLLED_OUT);
          assertTrue(c != null, "no " + ROLLED_OUT + " condition yet");
          assertion.accept(c);
        });
  }

  private static KeepalivePolicy policy(String namespace, String name) {
    return LocalCluster.client()
        .resources(KeepalivePolicy.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  private static Deployment deployment(String namespace, String name) {
    return LocalCluster.client().apps().deployments().inNamespace(namespace).withName(name).get();
  }

  /** The operator's mark on the Deployment's pod template, null when it never restarted it. */
  private static String restartedFor(String namespace, String name) {
    Map<String, String> annotations =
        deployment(namespace, name).getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("keepalive.io/restarted-for");
  }

  private static List<String> podNames(String namespace, String app) {
    return LocalCluster.client()
        .pods()
        .inNamespace(namespace)
        .withLabel("app", app)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** A pod no workload owns, passing Pod Security restricted. */
  private static String barePod(String namespace, String name, String tier) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %1$s, namespace: %2$s, labels: {app: %1$s, tier: %3$s}}
        spec:
          automountServiceAccountToken: false
          terminationGracePeriodSeconds: 1
          securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
          containers:
            - name: app
              image: %4$s
              imagePullPolicy: IfNotPresent
              command: [sleep, "3600"]
              securityContext:
                allowPrivilegeEscalation: false
                readOnlyRootFilesystem: true
                capabilities: {drop: [ALL]}
        """
        .formatted(name, namespace, tier, Workloads.BUSYBOX);
  }
}
