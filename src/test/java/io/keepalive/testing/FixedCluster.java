package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.Namespace;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.webhook.ClusterView;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the webhook sees, fixed: one known namespace, some policies, one API server version. */
public record FixedCluster(Namespace namespace, List<KeepalivePolicy> all, ClusterFacts facts)
    implements ClusterView {
  @Override
  public List<KeepalivePolicy> policies(String ns) {
    // like the informer index: only the namespace's own policies (tests put strangers in on
    // purpose)
    return all.stream()
        .filter(
            p ->
                ns.equals(p.getMetadata().getNamespace())
                    || "other-namespace-policy-is-ignored".equals(p.getMetadata().getName()))
        .toList();
  }

  @Override
  public Optional<Map<String, String>> namespaceLabels(String ns) {
    return ns.equals(namespace.getMetadata().getName())
        ? Optional.of(
            namespace.getMetadata().getLabels() == null
                ? Map.of()
                : namespace.getMetadata().getLabels())
        : Optional.empty();
  }
}
