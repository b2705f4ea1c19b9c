package io.keepalive.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Inject or skip, and why: a pure function of the pod, its namespace's Pod Security, the policies
 * of its namespace and the cluster version. The HTTP layer only feeds it and carries the answer
 * back.
 *
 * <p>Conflicts: when several policies select the pod, only the winner ({@link PolicyPrecedence}:
 * oldest, then name) is considered, exactly like the status census. The losers are listed in {@link
 * Inject#overruled()} so that they can be told (a LostConflict event). When the winner cannot be
 * applied (Pod Security, hostNetwork, ...) the pod is skipped with the winner's reason; the webhook
 * never falls back to a younger policy, so which policy governs a pod never depends on the
 * namespace's labels of the day.
 */
public sealed interface InjectionDecision {

  /** Apply {@code policy} with a concrete strategy (never Auto). */
  record Inject(KeepalivePolicy policy, InjectionStrategy strategy, List<KeepalivePolicy> overruled)
      implements InjectionDecision {}

  /**
   * Leave the pod as it is. {@code policy} is the winning policy when there was one, for the event.
   */
  record Skip(SkipReason reason, String detail, Optional<KeepalivePolicy> policy)
      implements InjectionDecision {
    static Skip of(SkipReason reason, String detail, KeepalivePolicy policy) {
      return new Skip(reason, detail, Optional.ofNullable(policy));
    }
  }

  /**
   * @param namespace the namespace of the admission request (a pod's metadata.namespace can be
   *     empty on CREATE)
   * @param namespaceLabels that namespace's labels, empty when it is not known (yet); asked only
   *     once a policy selects the pod and the pod itself does not rule it out, since it may cost a
   *     GET
   * @param policies the policies of that namespace; others are ignored whatever the caller passes,
   *     so a tenant's policy never reaches a pod of another namespace
   * @param defaultLevel the cluster's Pod Security level for namespaces without an enforce label
   */
  static InjectionDecision decide(
      Pod pod,
      String namespace,
      Supplier<Optional<Map<String, String>>> namespaceLabels,
      Collection<KeepalivePolicy> policies,
      PodSecurity.Level defaultLevel,
      ClusterFacts cluster) {
    Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
    List<KeepalivePolicy> selecting =
        PolicyPrecedence.selecting(
            policies.stream()
                .filter(p -> Objects.equals(namespace, p.getMetadata().getNamespace()))
                .toList(),
            labels);
    if (selecting.isEmpty()) {
      return Skip.of(
          SkipReason.NoMatchingPolicy,
          "no policy in namespace " + namespace + " selects the pod",
          null);
    }
    KeepalivePolicy policy = selecting.get(0);
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(PodMarks.HASH_ANNOTATION)) {
      return Skip.of(
          SkipReason.AlreadyInjected,
          "the pod carries "
              + PodMarks.HASH_ANNOTATION
              + "="
              + annotations.get(PodMarks.HASH_ANNOTATION),
          policy);
    }
    Optional<Skip> podSays = podRulesOut(pod, policy);
    if (podSays.isPresent()) {
      return podSays.get();
    }
    return forNamespace(
        namespace,
        namespaceLabels.get(),
        policy,
        defaultLevel,
        cluster,
        selecting.subList(1, selecting.size()));
  }

  /**
   * What the pod alone says, whatever its namespace: it opted out, shares the node's network
   * namespace, is a Windows pod, or already uses a name the webhook injects. The webhook asks it
   * for every new pod; the policy status asks it to tell skipped pods from pods that wait for a
   * restart.
   */
  public static Optional<Skip> podRulesOut(Pod pod, KeepalivePolicy policy) {
    Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
    if (labels != null && "false".equals(labels.get(PodMarks.INJECT_LABEL))) {
      return Optional.of(
          Skip.of(SkipReason.OptedOut, "the pod sets " + PodMarks.INJECT_LABEL + "=false", policy));
    }
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      return Optional.of(
          Skip.of(
              SkipReason.HostNetwork,
              "hostNetwork pods share the node's network namespace; "
                  + "policy "
                  + policy.getMetadata().getName()
                  + " is not applied",
              policy));
    }
    if (spec.getOs() != null && "windows".equalsIgnoreCase(spec.getOs().getName())) {
      return Optional.of(
          Skip.of(SkipReason.WindowsPod, "Windows pods have no Linux sysctls", policy));
    }
    return takenName(spec)
        .map(
            taken ->
                Skip.of(
                    SkipReason.NameTaken,
                    "the pod already has a container or volume named " + taken,
                    policy));
  }

  /**
   * What the namespace alone says about a policy, whatever the pod: it opted out, it is not known
   * yet (so its Pod Security cannot be checked and injecting could get the pod rejected), or its
   * Pod Security and the cluster version rule the policy's strategy out. Empty when its pods can
   * take the policy. The policy status asks it to say why pods carry nothing; the webhook makes the
   * same decision through {@link #decide}.
   */
  public static Optional<Skip> namespaceRulesOut(
      String namespace,
      Optional<Map<String, String>> namespaceLabels,
      KeepalivePolicy policy,
      PodSecurity.Level defaultLevel,
      ClusterFacts cluster) {
    return forNamespace(namespace, namespaceLabels, policy, defaultLevel, cluster, List.of())
            instanceof Skip skip
        ? Optional.of(skip)
        : Optional.empty();
  }

  /**
   * The namespace's say, and the concrete strategy when it has none: resolved once, for both
   * callers.
   */
  private static InjectionDecision forNamespace(
      String namespace,
      Optional<Map<String, String>> namespaceLabels,
      KeepalivePolicy policy,
      PodSecurity.Level defaultLevel,
      ClusterFacts cluster,
      List<KeepalivePolicy> overruled) {
    if (namespaceLabels.isEmpty()) {
      return Skip.of(
          SkipReason.NamespaceUnknown,
          "namespace " + namespace + " is not known yet; its Pod Security cannot be checked",
          policy);
    }
    if ("false".equals(namespaceLabels.get().get(PodMarks.INJECT_LABEL))) {
      // the registration's namespaceSelector already keeps the API server from calling; a
      // hand-written one may not
      return Skip.of(
          SkipReason.OptedOut,
          "namespace " + namespace + " sets " + PodMarks.INJECT_LABEL + "=false",
          policy);
    }
    PodSecurity podSecurity = PodSecurity.of(namespaceLabels.get(), defaultLevel);
    InjectionStrategy asked = asked(policy);
    Optional<InjectionStrategy> strategy = StrategyChoice.resolve(asked, podSecurity, cluster);
    if (strategy.isPresent()) {
      return new Inject(policy, strategy.get(), overruled);
    }
    return Skip.of(
        StrategyChoice.whyNot(asked, podSecurity, cluster),
        StrategyChoice.explain(asked, podSecurity, cluster)
            + " (policy "
            + policy.getMetadata().getName()
            + ")",
        policy);
  }

  private static InjectionStrategy asked(KeepalivePolicy policy) {
    return policy.getSpec().getStrategy() == null
        ? InjectionStrategy.Auto
        : policy.getSpec().getStrategy();
  }

  private static Optional<String> takenName(PodSpec spec) {
    List<String> ours =
        List.of(InjectedContainers.SYSCTLS_CONTAINER, InjectedContainers.AGENT_CONTAINER);
    Stream<String> containers =
        Stream.of(spec.getContainers(), spec.getInitContainers())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .map(Container::getName)
            .filter(ours::contains);
    Stream<String> volumes =
        spec.getVolumes() == null
            ? Stream.empty()
            : spec.getVolumes().stream()
                .map(Volume::getName)
                .filter(InjectedContainers.AGENT_TMP_VOLUME::equals);
    return Stream.concat(containers, volumes).findFirst();
  }
}
