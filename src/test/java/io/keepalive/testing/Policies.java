package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.TcpKeepalive;

import java.util.Map;

/** Small builders for the objects tests create. */
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
