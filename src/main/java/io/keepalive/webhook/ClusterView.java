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

  /**
   * Whether what {@link #namespaceLabels} says of this namespace is in memory. When not (a
   * namespace created a moment ago, not yet in the informer), it asks the API server: a review on
   * an event loop must then move to a thread that may wait.
   */
  default boolean knowsNamespace(String namespace) {
    return true;
  }

  ClusterFacts facts();
}
