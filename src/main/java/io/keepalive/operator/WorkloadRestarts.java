package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.PodSelection;
import io.keepalive.settings.OperatorSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The Kubernetes edge of the rollout (spec.rollout Automatic): finds the workloads of the pods that
 * run without the policy's generation, asks {@link RolloutPlanner} what to do, and restarts what it
 * says the way `kubectl rollout restart` does: a patch of the pod template's annotations. It reads
 * ReplicaSets, Deployments, StatefulSets and DaemonSets by name, and patches only those the planner
 * picked; with the chart's rollout.enabled off it calls nothing at all.
 */
@ApplicationScoped
public class WorkloadRestarts {
  private static final Logger LOG = Logger.getLogger(WorkloadRestarts.class);

  private final KubernetesClient client;
  private final OperatorSettings settings;

  public WorkloadRestarts(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  RolloutPlanner.Plan bringInLine(KeepalivePolicy policy, PolicyCensus census, Instant now) {
    String namespace = policy.getMetadata().getNamespace();
    long generation = PolicyStatusBuilder.generation(policy);
    boolean operatorNamespace = namespace.equals(settings.namespace());
    boolean permitted = settings.rollout().enabled();
    Map<Workload.Ref, Integer> behind = new LinkedHashMap<>();
    Map<Workload.Ref, Workload> workloads = new HashMap<>();
    List<String> notRestartable = new ArrayList<>();
    if (permitted && !operatorNamespace && !census.behind().isEmpty()) {
      try {
        owners(namespace, census.behind(), behind, notRestartable);
        behind.keySet().forEach(ref -> read(namespace, ref).ifPresent(w -> workloads.put(ref, w)));
      } catch (KubernetesClientException e) {
        // e.g. rollout.enabled set without the rights (rbac.create=false): say so, try again later
        return RolloutPlanner.unreadable(generation, census.behind().size(), e.getMessage());
      }
    }
    RolloutPlanner.Plan plan =
        RolloutPlanner.plan(
            new RolloutPlanner.Situation(
                policy.getMetadata().getName(),
                generation,
                operatorNamespace,
                permitted,
                settings.rollout().workloadsAtOnce(),
                Duration.ofSeconds(settings.rollout().progressDeadlineSeconds()),
                now,
                census.behind().size(),
                behind,
                workloads,
                notRestartable,
                labels -> PodSelection.selects(policy.getSpec().getSelector(), labels),
                policy.getStatus() == null ? null : policy.getStatus().getRollout()));
    for (Workload.Ref ref : plan.restartNow()) {
      try {
        restart(namespace, ref, Workload.mark(policy.getMetadata().getName(), generation), now);
        LOG.infof(
            "restarted %s/%s for generation %d of policy %s",
            namespace, ref, generation, policy.getMetadata().getName());
      } catch (KubernetesClientException e) {
        return RolloutPlanner.restartFailed(plan, ref, e.getMessage());
      }
    }
    return plan;
  }

  /** Each pod's workload (a Deployment through its ReplicaSet), or why there is none of ours. */
  private void owners(
      String namespace,
      List<Pod> pods,
      Map<Workload.Ref, Integer> behind,
      List<String> notRestartable) {
    Map<String, Optional<Workload.Ref>> deploymentOf = new HashMap<>();
    Map<String, String> whyNot = new HashMap<>();
    for (Pod pod : pods) {
      String name = "pod " + pod.getMetadata().getName();
      Optional<OwnerReference> owner = SlimPodStore.controller(pod.getMetadata());
      if (owner.isEmpty()) {
        notRestartable.add(name + ": no workload owns it (a bare pod)");
        continue;
      }
      String kind = owner.get().getKind();
      Workload.Ref ref;
      if ("ReplicaSet".equals(kind)) {
        String replicaSet = owner.get().getName();
        Optional<Workload.Ref> deployment =
            deploymentOf.computeIfAbsent(replicaSet, rs -> deploymentOf(namespace, rs, whyNot));
        if (deployment.isEmpty()) {
          notRestartable.add(name + ": " + whyNot.get(replicaSet));
          continue;
        }
        ref = deployment.get();
      } else if (Workload.KINDS.contains(kind)) {
        ref = new Workload.Ref(kind, owner.get().getName());
      } else {
        notRestartable.add(name + ": owned by " + kind + "/" + owner.get().getName());
        continue;
      }
      behind.merge(ref, 1, Integer::sum);
    }
  }

  private Optional<Workload.Ref> deploymentOf(
      String namespace, String replicaSet, Map<String, String> whyNot) {
    ReplicaSet rs = client.apps().replicaSets().inNamespace(namespace).withName(replicaSet).get();
    Optional<OwnerReference> owner =
        rs == null ? Optional.empty() : SlimPodStore.controller(rs.getMetadata());
    if (owner.isPresent() && Workload.DEPLOYMENT.equals(owner.get().getKind())) {
      return Optional.of(new Workload.Ref(Workload.DEPLOYMENT, owner.get().getName()));
    }
    whyNot.put(
        replicaSet,
        rs == null
            ? "its ReplicaSet " + replicaSet + " is gone"
            : "owned by ReplicaSet/" + replicaSet + ", which no Deployment manages");
    return Optional.empty();
  }

  private Optional<Workload> read(String namespace, Workload.Ref ref) {
    return Optional.ofNullable(
        switch (ref.kind()) {
          case Workload.DEPLOYMENT -> {
            Deployment d =
                client.apps().deployments().inNamespace(namespace).withName(ref.name()).get();
            yield d == null ? null : Workload.of(d);
          }
          case Workload.STATEFUL_SET -> {
            StatefulSet s =
                client.apps().statefulSets().inNamespace(namespace).withName(ref.name()).get();
            yield s == null ? null : Workload.of(s);
          }
          case Workload.DAEMON_SET -> {
            DaemonSet d =
                client.apps().daemonSets().inNamespace(namespace).withName(ref.name()).get();
            yield d == null ? null : Workload.of(d);
          }
          default -> null;
        });
  }

  /** What `kubectl rollout restart` does, plus our mark: a new pod template, so new pods. */
  private void restart(String namespace, Workload.Ref ref, String mark, Instant now) {
    String patch =
        """
        {"spec":{"template":{"metadata":{"annotations":{"%s":"%s","%s":"%s"}}}}}"""
            .formatted(
                Workload.RESTARTED_AT,
                now.truncatedTo(ChronoUnit.SECONDS),
                Workload.RESTARTED_FOR,
                mark);
    PatchContext merge = PatchContext.of(PatchType.STRATEGIC_MERGE);
    switch (ref.kind()) {
      case Workload.DEPLOYMENT ->
          client
              .apps()
              .deployments()
              .inNamespace(namespace)
              .withName(ref.name())
              .patch(merge, patch);
      case Workload.STATEFUL_SET ->
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName(ref.name())
              .patch(merge, patch);
      case Workload.DAEMON_SET ->
          client
              .apps()
              .daemonSets()
              .inNamespace(namespace)
              .withName(ref.name())
              .patch(merge, patch);
      default -> throw new IllegalArgumentException("not a workload the rollout restarts: " + ref);
    }
  }
}
