package io.keepalive.rules;

import io.keepalive.policy.KeepalivePolicy;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * When several policies select one pod, exactly one applies: the oldest (it was there first, so a
 * newcomer cannot silently change running workloads), with the name breaking ties. Deterministic
 * across operator restarts and replicas, and the same rule for the webhook and the status.
 */
public final class PolicyPrecedence {
  public static final Comparator<KeepalivePolicy> OLDEST_FIRST =
      Comparator.comparing((KeepalivePolicy p) -> created(p))
          .thenComparing(p -> p.getMetadata().getName());

  private PolicyPrecedence() {}

  /**
   * The live policies that select a pod with these labels, the one that applies first. The webhook
   * and the status census both ask this, so a pod's governing policy is the same in both.
   */
  public static List<KeepalivePolicy> selecting(
      Collection<KeepalivePolicy> policies, Map<String, String> podLabels) {
    return policies.stream()
        .filter(
            p ->
                p.getMetadata().getDeletionTimestamp() == null
                    && p.getSpec() != null
                    && p.getSpec().getTcp() != null)
        .filter(p -> PodSelection.selects(p.getSpec().getSelector(), podLabels))
        .sorted(OLDEST_FIRST)
        .toList();
  }

  static Instant created(KeepalivePolicy policy) {
    String ts = policy.getMetadata().getCreationTimestamp();
    // not yet persisted (unit tests, dry runs): youngest possible, so a stored policy always wins
    return ts == null ? Instant.MAX : Instant.parse(ts);
  }
}
