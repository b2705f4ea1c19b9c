package io.keepalive.operator;

import io.keepalive.policy.KeepalivePolicy;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * When several policies select one pod, exactly one applies: the oldest (it was there first, so a newcomer
 * cannot silently change running workloads), with the name breaking ties. Deterministic across operator
 * restarts and replicas, and the same rule for the webhook and the status.
 */
public final class PolicyPrecedence {
    public static final Comparator<KeepalivePolicy> OLDEST_FIRST = Comparator
            .comparing((KeepalivePolicy p) -> created(p))
            .thenComparing(p -> p.getMetadata().getName());

    private PolicyPrecedence() {
    }

    public static Optional<KeepalivePolicy> winner(Collection<KeepalivePolicy> selecting) {
        return selecting.stream().min(OLDEST_FIRST);
    }

    static Instant created(KeepalivePolicy policy) {
        String ts = policy.getMetadata().getCreationTimestamp();
        // not yet persisted (unit tests, dry runs): youngest possible, so a stored policy always wins
        return ts == null ? Instant.MAX : Instant.parse(ts);
    }
}
