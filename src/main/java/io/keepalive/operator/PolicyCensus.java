package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.webhook.SkipReason;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Counts, for one policy, what happened to the pods it selects: which it applies to, which an older policy
 * wins, which run its current generation, which were created before it and need a restart, and which are
 * skipped for a named reason. Pure: the same inputs give the same census.
 *
 * @param matched       live pods the selector matches
 * @param injected      matched pods running this policy's current generation
 * @param stale         matched pods injected from an older generation of this policy
 * @param notInjected   matched pods this policy wins that carry nothing (created before it, or the webhook was down)
 * @param skipped       matched pods this policy wins but must leave alone, by reason
 * @param lostTo        matched pods an older policy wins, by that policy's name
 * @param wonFromYounger pods this policy wins that younger policies also select, by their names
 */
public record PolicyCensus(int matched, int injected, int stale, int notInjected,
                           Map<SkipReason, Integer> skipped, Map<String, Integer> lostTo,
                           Map<String, Integer> wonFromYounger, List<Pod> applicablePods) {

    public int lost() {
        return lostTo.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int skippedTotal() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Pods this policy should be in force on. */
    public int applicable() {
        return matched - lost() - skippedTotal();
    }

    public static PolicyCensus take(KeepalivePolicy policy, Collection<KeepalivePolicy> namespacePolicies,
                                    Collection<Pod> namespacePods) {
        return take(policy, namespacePolicies, namespacePods, java.util.Optional.empty());
    }

    /**
     * @param namespaceSkip why the webhook skips every new pod of the namespace for this policy (the namespace
     *                      opted out, or its Pod Security rules the strategy out); pods that carry nothing are
     *                      then counted as skipped for that reason rather than as waiting for a restart
     */
    public static PolicyCensus take(KeepalivePolicy policy, Collection<KeepalivePolicy> namespacePolicies,
                                    Collection<Pod> namespacePods, java.util.Optional<SkipReason> namespaceSkip) {
        String name = policy.getMetadata().getName();
        String generation = String.valueOf(policy.getMetadata().getGeneration());
        int matched = 0, injected = 0, stale = 0, notInjected = 0;
        Map<SkipReason, Integer> skipped = new TreeMap<>();
        Map<String, Integer> lostTo = new TreeMap<>();
        Map<String, Integer> wonFromYounger = new TreeMap<>();
        List<Pod> applicable = new ArrayList<>();

        for (Pod pod : namespacePods) {
            if (!isLive(pod) || !PodSelection.selects(policy.getSpec().getSelector(), pod.getMetadata().getLabels())) {
                continue;
            }
            matched++;
            List<KeepalivePolicy> selecting = namespacePolicies.stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(p -> p.getSpec() != null
                            && PodSelection.selects(p.getSpec().getSelector(), pod.getMetadata().getLabels()))
                    .toList();
            KeepalivePolicy winner = PolicyPrecedence.winner(selecting).orElse(policy);
            if (!Objects.equals(winner.getMetadata().getName(), name)) {
                lostTo.merge(winner.getMetadata().getName(), 1, Integer::sum);
                continue;
            }
            selecting.stream().map(p -> p.getMetadata().getName()).filter(n -> !n.equals(name))
                    .forEach(n -> wonFromYounger.merge(n, 1, Integer::sum));

            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            boolean carriesThisPolicy = annotations != null && name.equals(annotations.get(PodMarks.POLICY_ANNOTATION));
            SkipReason skip = skipReason(pod);
            if (skip == null && !carriesThisPolicy) {
                skip = namespaceSkip.orElse(null);
            }
            if (skip != null) {
                skipped.merge(skip, 1, Integer::sum);
                continue;
            }
            applicable.add(pod);
            if (!carriesThisPolicy) {
                notInjected++;
            } else if (generation.equals(annotations.get(PodMarks.GENERATION_ANNOTATION))) {
                injected++;
            } else {
                stale++;
            }
        }
        return new PolicyCensus(matched, injected, stale, notInjected, skipped, lostTo, wonFromYounger, applicable);
    }

    /** Finished or terminating pods no longer run connections worth counting. */
    static boolean isLive(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** Pods the webhook never touches whatever the policy says, for the webhook's own reasons. */
    static SkipReason skipReason(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels != null && "false".equals(labels.get(PodMarks.INJECT_LABEL))) {
            return SkipReason.OptedOut;
        }
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return SkipReason.HostNetwork;
        }
        return null;
    }
}
