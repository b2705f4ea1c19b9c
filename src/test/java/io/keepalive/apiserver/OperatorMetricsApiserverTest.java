package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's metrics do not grow with the policies it has ever seen: policies created,
 * reconciled and deleted leave no series of their own behind (the framework's per-resource
 * histograms were some 75 series per policy, never removed).
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class OperatorMetricsApiserverTest {
  static final int POLICIES = 20;
  @Inject MeterRegistry registry;
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void policiesLeaveNoSeriesOfTheirOwn() {
    String ns = TestNamespaces.create(client, "metrics", Map.of(PodMarks.INJECT_LABEL, "false"));
    List<String> names = IntStream.range(0, POLICIES).mapToObj(i -> "counted-" + i).toList();
    int before = registry.getMeters().size();
    for (String name : names) {
      KeepalivePolicy policy = Policies.policy(ns, name, Map.of("app", name), 120, 15, 4);
      AgentSettings agent = new AgentSettings();
      agent.setEnabled(false);
      policy.getSpec().setAgent(agent);
      client.resource(policy).create();
    }
    for (String name : names) {
      Policies.awaitStatus(client, ns, name, Duration.ofSeconds(30), p -> {});
    }
    for (String name : names) {
      client.resources(KeepalivePolicy.class).inNamespace(ns).withName(name).delete();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .resources(KeepalivePolicy.class)
                    .inNamespace(ns)
                    .list()
                    .getItems()
                    .isEmpty());

    Set<String> ours = Set.copyOf(names);
    List<String> perPolicy =
        registry.getMeters().stream()
            .map(Meter::getId)
            .filter(id -> id.getTags().stream().anyMatch(t -> ours.contains(t.getValue())))
            .map(id -> id.getName() + id.getTags())
            .toList();
    assertEquals(List.of(), perPolicy, "series named after a policy");
    int after = registry.getMeters().size();
    assertTrue(
        after - before < POLICIES,
        POLICIES + " policies created and deleted added " + (after - before) + " series");
  }
}
