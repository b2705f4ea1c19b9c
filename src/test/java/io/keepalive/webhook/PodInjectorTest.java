package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.TcpKeepalive;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodInjectorTest {
    static final ClusterFacts V134 = new ClusterFacts(new KubeVersion(1, 34));
    final PodInjector injector = new PodInjector(new InjectedContainers(TestSettings.defaults()), new ObjectMapper());

    static KeepalivePolicy stored(String resourceVersion, int time) {
        KeepalivePolicy p = InjectionDecisionTest.policy("p", "ns", InjectionStrategy.Auto, "2026-01-01T00:00:00Z");
        p.getMetadata().setUid("uid-1");
        p.getMetadata().setResourceVersion(resourceVersion);
        p.getSpec().setTcp(new TcpKeepalive(time, 30, 5));
        return p;
    }

    static String agentTime(Pod pod) {
        return pod.getSpec().getInitContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("KEEPALIVE_DESIRED_TIME_SECONDS")).findFirst().orElseThrow().getValue();
    }

    @Test
    void aChangedPolicyIsNeverServedFromTheBuiltContainersOfItsOldVersion() {
        Pod first = InjectionDecisionTest.pod(Map.of("app", "web"));
        var a = injector.inject(first, stored("1", 300), InjectionStrategy.SecurityContext, V134);
        Pod second = InjectionDecisionTest.pod(Map.of("app", "web"));
        var b = injector.inject(second, stored("1", 300), InjectionStrategy.SecurityContext, V134);
        assertEquals(a.hash(), b.hash());
        assertTrue(first.getSpec().getInitContainers().get(0) == second.getSpec().getInitContainers().get(0),
                "same policy version: built once");

        Pod third = InjectionDecisionTest.pod(Map.of("app", "web"));
        var c = injector.inject(third, stored("2", 120), InjectionStrategy.SecurityContext, V134);
        assertNotEquals(a.hash(), c.hash());
        assertEquals("120", agentTime(third));
        assertEquals("120", third.getSpec().getSecurityContext().getSysctls().get(0).getValue());
        assertEquals(c.hash(), third.getMetadata().getAnnotations().get(PodMarks.HASH_ANNOTATION));
    }

    @Test
    void injectingTwiceChangesNothing() {
        Pod pod = InjectionDecisionTest.pod(Map.of("app", "web"));
        injector.inject(pod, stored("1", 300), InjectionStrategy.InitContainer, V134);
        String once = pod.toString();
        injector.inject(pod, stored("1", 300), InjectionStrategy.InitContainer, V134);
        assertEquals(once, pod.toString());
        assertEquals(2, pod.getSpec().getInitContainers().size());
        assertEquals(1, pod.getSpec().getVolumes().size());
    }
}
