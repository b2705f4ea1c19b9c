package io.keepalive.webhook;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an admission needs to know besides the pod; backed by informers in the operator, by fixtures
 * in tests.
 */
public interface ClusterView {
  /** The policies of one namespace. */
  List<KeepalivePolicy> policies(String namespace);

  /** The namespace's labels; empty when the namespace cannot be found. */
  Optional<Map<String, String>> namespaceLabels(String namespace);

  ClusterFacts facts();
}
