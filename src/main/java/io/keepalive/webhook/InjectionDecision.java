package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.keepalive.operator.PodSelection;
import io.keepalive.operator.PolicyPrecedence;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Inject or skip, and why: a pure function of the pod, its namespace's Pod Security, the policies of its
 * namespace and the cluster version. The HTTP layer only feeds it and carries the answer back.
 *
 * <p>Conflicts: when several policies select the pod, only the winner ({@link PolicyPrecedence}: oldest,
 * then name) is considered, exactly like the status census. The losers are listed in {@link Inject#overruled()}
 * so that they can be told (a LostConflict event). When the winner cannot be applied (Pod Security, hostNetwork,
 * ...) the pod is skipped with the winner's reason; the webhook never falls back to a younger policy, so
 * which policy governs a pod never depends on the namespace's labels of the day.
 */
public sealed interface InjectionDecision {

    /** Apply {@code policy} with a concrete strategy (never Auto). */
    record Inject(KeepalivePolicy policy, InjectionStrategy strategy, List<KeepalivePolicy> overruled)
            implements InjectionDecision {
    }

    /** Leave the pod as it is. {@code policy} is the winning policy when there was one, for the event. */
    record Skip(SkipReason reason, String detail, Optional<KeepalivePolicy> policy) implements InjectionDecision {
        static Skip of(SkipReason reason, String detail, KeepalivePolicy policy) {
            return new Skip(reason, detail, Optional.ofNullable(policy));
        }
    }

    /**
     * @param namespace       the namespace of the admission request (a pod's metadata.namespace can be empty on CREATE)
     * @param namespaceLabels that namespace's labels; empty when it is not known (yet)
     * @param policies        the policies of that namespace; others are ignored whatever the caller passes, so a
     *                        tenant's policy never reaches a pod of another namespace
     * @param defaultLevel    the cluster's Pod Security level for namespaces without an enforce label
     */
    static InjectionDecision decide(Pod pod, String namespace, Optional<Map<String, String>> namespaceLabels,
                                    Collection<KeepalivePolicy> policies, PodSecurity.Level defaultLevel,
                                    ClusterFacts cluster) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        List<KeepalivePolicy> selecting = policies.stream()
                .filter(p -> Objects.equals(namespace, p.getMetadata().getNamespace()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getSpec() != null
                        && p.getSpec().getTcp() != null)
                .filter(p -> PodSelection.selects(p.getSpec().getSelector(), labels))
                .sorted(PolicyPrecedence.OLDEST_FIRST)
                .toList();
        if (selecting.isEmpty()) {
            return Skip.of(SkipReason.NoMatchingPolicy, "no policy in namespace " + namespace + " selects the pod", null);
        }
        KeepalivePolicy policy = selecting.get(0);
        String name = policy.getMetadata().getName();
        if (labels != null && "false".equals(labels.get(PodMarks.INJECT_LABEL))) {
            return Skip.of(SkipReason.OptedOut, "the pod sets " + PodMarks.INJECT_LABEL + "=false", policy);
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(PodMarks.HASH_ANNOTATION)) {
            return Skip.of(SkipReason.AlreadyInjected, "the pod carries " + PodMarks.HASH_ANNOTATION + "="
                    + annotations.get(PodMarks.HASH_ANNOTATION), policy);
        }
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            spec = new PodSpec();
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            return Skip.of(SkipReason.HostNetwork, "hostNetwork pods share the node's network namespace; "
                    + "policy " + name + " is not applied", policy);
        }
        if (spec.getOs() != null && "windows".equalsIgnoreCase(spec.getOs().getName())) {
            return Skip.of(SkipReason.WindowsPod, "Windows pods have no Linux sysctls", policy);
        }
        Optional<String> taken = takenName(spec);
        if (taken.isPresent()) {
            return Skip.of(SkipReason.NameTaken, "the pod already has a container or volume named "
                    + taken.get(), policy);
        }
        return namespaceRulesOut(namespace, namespaceLabels, policy, defaultLevel, cluster)
                .<InjectionDecision>map(skip -> skip)
                .orElseGet(() -> new Inject(policy, strategy(policy, namespaceLabels.get(), defaultLevel, cluster),
                        selecting.subList(1, selecting.size())));
    }

    /**
     * What the namespace alone says about a policy, whatever the pod: it opted out, it is not known yet (so its
     * Pod Security cannot be checked and injecting could get the pod rejected), or its Pod Security and the
     * cluster version rule the policy's strategy out. Empty when its pods can take the policy. The webhook asks
     * it for every pod; the policy status asks it to say why pods carry nothing.
     */
    public static Optional<Skip> namespaceRulesOut(String namespace, Optional<Map<String, String>> namespaceLabels,
                                                   KeepalivePolicy policy, PodSecurity.Level defaultLevel,
                                                   ClusterFacts cluster) {
        if (namespaceLabels.isEmpty()) {
            return Optional.of(Skip.of(SkipReason.NamespaceUnknown, "namespace " + namespace
                    + " is not known yet; its Pod Security cannot be checked", policy));
        }
        if ("false".equals(namespaceLabels.get().get(PodMarks.INJECT_LABEL))) {
            // the registration's namespaceSelector already keeps the API server from calling; a hand-written one may not
            return Optional.of(Skip.of(SkipReason.OptedOut, "namespace " + namespace + " sets "
                    + PodMarks.INJECT_LABEL + "=false", policy));
        }
        PodSecurity podSecurity = PodSecurity.of(namespaceLabels.get(), defaultLevel);
        InjectionStrategy asked = asked(policy);
        if (StrategyChoice.resolve(asked, podSecurity, cluster).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(Skip.of(StrategyChoice.whyNot(asked, podSecurity, cluster),
                StrategyChoice.explain(asked, podSecurity, cluster) + " (policy " + policy.getMetadata().getName() + ")",
                policy));
    }

    private static InjectionStrategy strategy(KeepalivePolicy policy, Map<String, String> namespaceLabels,
                                              PodSecurity.Level defaultLevel, ClusterFacts cluster) {
        return StrategyChoice.resolve(asked(policy), PodSecurity.of(namespaceLabels, defaultLevel), cluster).orElseThrow();
    }

    private static InjectionStrategy asked(KeepalivePolicy policy) {
        return policy.getSpec().getStrategy() == null ? InjectionStrategy.Auto : policy.getSpec().getStrategy();
    }

    private static Optional<String> takenName(PodSpec spec) {
        List<String> ours = List.of(InjectedContainers.SYSCTLS_CONTAINER, InjectedContainers.AGENT_CONTAINER);
        Stream<String> containers = Stream.of(spec.getContainers(), spec.getInitContainers())
                .filter(Objects::nonNull).flatMap(List::stream).map(Container::getName).filter(ours::contains);
        Stream<String> volumes = spec.getVolumes() == null ? Stream.empty()
                : spec.getVolumes().stream().map(Volume::getName).filter(InjectedContainers.AGENT_TMP_VOLUME::equals);
        return Stream.concat(containers, volumes).findFirst();
    }
}
