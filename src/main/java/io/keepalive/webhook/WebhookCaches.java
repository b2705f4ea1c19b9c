package io.keepalive.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.keepalive.namespaces.NamespaceRules;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The webhook's view of the cluster, from informers: a GET per admission would cost the API server
 * a round trip inside its own request. Policies from the webhook's own informers (it serves on
 * every replica, the reconciler's caches live on the leader only); namespaces and the API server
 * version from {@link NamespaceRules}, which the status reads too.
 */
public final class WebhookCaches implements ClusterView, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WebhookCaches.class);
  private final NamespaceRules namespaces;
  private final List<SharedIndexInformer<KeepalivePolicy>> policies = new ArrayList<>();

  /**
   * @param watchNamespaces empty: all namespaces
   */
  public WebhookCaches(
      KubernetesClient client, NamespaceRules namespaces, List<String> watchNamespaces) {
    this.namespaces = namespaces;
    if (watchNamespaces.isEmpty()) {
      policies.add(client.resources(KeepalivePolicy.class).inAnyNamespace().runnableInformer(0));
    } else {
      for (String ns : watchNamespaces) {
        policies.add(client.resources(KeepalivePolicy.class).inNamespace(ns).runnableInformer(0));
      }
    }
    // keep retrying: the CRD may be installed after the operator starts
    policies.forEach(
        i ->
            i.exceptionHandler(
                (started, t) -> {
                  LOG.debugf("policy informer: %s (retrying)", t.getMessage());
                  return true;
                }));
  }

  /** Completes when every cache holds a full list. */
  public CompletableFuture<Void> start() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    policies.forEach(i -> started.add(i.start().toCompletableFuture()));
    started.add(namespaces.synced());
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
  }

  @Override
  public List<KeepalivePolicy> policies(String namespace) {
    List<KeepalivePolicy> found = new ArrayList<>();
    // Not the namespace index: fabric8 updates an index entry by removing it and adding it back,
    // unlocked for
    // readers, so while the operator writes a policy's status a concurrent admission could find no
    // policy and
    // let a pod through uninjected (seen in CI). The item map replaces values atomically; policies
    // are few.
    for (var informer : policies) {
      for (KeepalivePolicy policy : informer.getStore().list()) {
        if (namespace.equals(policy.getMetadata().getNamespace())) {
          found.add(policy);
        }
      }
    }
    return found;
  }

  @Override
  public Optional<Map<String, String>> namespaceLabels(String namespace) {
    return namespaces.labels(namespace);
  }

  @Override
  public boolean knowsNamespace(String namespace) {
    return namespaces.cached(namespace);
  }

  @Override
  public ClusterFacts facts() {
    return namespaces.facts();
  }

  @Override
  public void close() {
    policies.forEach(SharedIndexInformer::stop);
  }
}
