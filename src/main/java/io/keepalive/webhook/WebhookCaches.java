package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.keepalive.policy.KeepalivePolicy;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The webhook's view of the cluster, from informers: a GET per admission would cost the API server a round
 * trip inside its own request. A namespace missing from the cache (created a moment ago) is read with a GET
 * each time until the informer has it; the decision asks for it only once a policy selects the pod.
 */
public final class WebhookCaches implements ClusterView, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookCaches.class);
    private final KubernetesClient client;
    private final ClusterFacts facts;
    private final List<SharedIndexInformer<KeepalivePolicy>> policies = new ArrayList<>();
    private final SharedIndexInformer<Namespace> namespaces;

    /** @param watchNamespaces empty: all namespaces */
    public WebhookCaches(KubernetesClient client, ClusterFacts facts, List<String> watchNamespaces) {
        this.client = client;
        this.facts = facts;
        if (watchNamespaces.isEmpty()) {
            policies.add(client.resources(KeepalivePolicy.class).inAnyNamespace().runnableInformer(0));
        } else {
            for (String ns : watchNamespaces) {
                policies.add(client.resources(KeepalivePolicy.class).inNamespace(ns).runnableInformer(0));
            }
        }
        namespaces = client.namespaces().runnableInformer(0);
        // keep retrying: the CRD may be installed after the operator starts
        policies.forEach(i -> i.exceptionHandler((started, t) -> {
            LOG.debugf("policy informer: %s (retrying)", t.getMessage());
            return true;
        }));
        namespaces.exceptionHandler((started, t) -> true);
    }

    /** Completes when every cache holds a full list. */
    public CompletableFuture<Void> start() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        policies.forEach(i -> started.add(i.start().toCompletableFuture()));
        started.add(namespaces.start().toCompletableFuture());
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    @Override
    public List<KeepalivePolicy> policies(String namespace) {
        List<KeepalivePolicy> found = new ArrayList<>();
        // Not the namespace index: fabric8 updates an index entry by removing it and adding it back, unlocked for
        // readers, so while the operator writes a policy's status a concurrent admission could find no policy and
        // let a pod through uninjected (seen in CI). The item map replaces values atomically; policies are few.
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
        Namespace ns = namespaces.getStore().getByKey(namespace);
        if (ns == null) {
            try {
                ns = client.namespaces().withName(namespace).get();
            } catch (RuntimeException e) {
                LOG.warnf("cannot read namespace %s: %s", namespace, e.getMessage());
            }
        }
        if (ns == null) {
            return Optional.empty();
        }
        return Optional.of(ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
    }

    @Override
    public ClusterFacts facts() {
        return facts;
    }

    @Override
    public void close() {
        policies.forEach(SharedIndexInformer::stop);
        namespaces.stop();
    }
}
