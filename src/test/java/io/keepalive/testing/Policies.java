package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.TcpKeepalive;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Small builders for the objects tests create, and the wait for what the operator writes on a policy. */
public final class Policies {
    private Policies() {
    }

    public static KeepalivePolicy policy(String namespace, String name, Map<String, String> matchLabels,
                                         int time, int interval, int probes) {
        KeepalivePolicy policy = new KeepalivePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        KeepalivePolicySpec spec = new KeepalivePolicySpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build());
        spec.setTcp(new TcpKeepalive(time, interval, probes));
        policy.setSpec(spec);
        return policy;
    }

    /**
     * Waits until the policy {@code namespace/name} has a status on which {@code assertion} holds, reading it from
     * the API server every 200 ms. A policy or status not there yet is "not yet", not a failure; so is an
     * AssertionError from {@code assertion}, whose last message the timeout reports.
     */
    public static void awaitStatus(KubernetesClient client, String namespace, String name, Duration within,
                                   Consumer<KeepalivePolicy> assertion) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            KeepalivePolicy policy = client.resources(KeepalivePolicy.class).inNamespace(namespace).withName(name).get();
            assertNotNull(policy, "no policy " + namespace + "/" + name);
            assertNotNull(policy.getStatus(), "no status yet on " + namespace + "/" + name);
            assertion.accept(policy);
        });
    }

    /** A pod that passes Pod Security "restricted" as it is. */
    public static Pod pod(String namespace, String name, Map<String, String> labels) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1000L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("app").withImage("registry.example/app:1")
                .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                .withNewCapabilities().addToDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer()
                .endSpec()
                .build();
    }
}
