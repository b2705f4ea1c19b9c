package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodInjectorTest {
  static final ClusterFacts V134 = new ClusterFacts(new KubeVersion(1, 34));
  final PodInjector injector =
      new PodInjector(new InjectedContainers(TestSettings.defaults()), new ObjectMapper());

  private static KeepalivePolicy stored(long generation, int time) {
    return Policies.named("p").stored("2026-01-01T00:00:00Z", generation).tcp(time, 30, 5).build();
  }

  private static Pod web() {
    return Pods.named("web-1").labels(Policies.WEB).build();
  }

  private static String agentTime(Pod pod) {
    return pod.getSpec().getInitContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("KEEPALIVE_DESIRED_TIME_SECONDS"))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private static String hash(Pod pod) {
    return pod.getMetadata().getAnnotations().get(PodMarks.HASH_ANNOTATION);
  }

  @Test
  void aChangedPolicyIsNeverServedFromTheBuiltContainersOfItsOldGeneration() {
    Pod first = web();
    injector.inject(first, stored(1, 300), InjectionStrategy.SecurityContext, V134);
    // the operator wrote the status: new resourceVersion, same generation, same containers
    KeepalivePolicy statusWritten = stored(1, 300);
    statusWritten.getMetadata().setResourceVersion("999");
    Pod second = web();
    injector.inject(second, statusWritten, InjectionStrategy.SecurityContext, V134);
    assertTrue(
        first.getSpec().getInitContainers().get(0) == second.getSpec().getInitContainers().get(0),
        "same policy generation: built once");

    Pod third = web();
    injector.inject(third, stored(2, 120), InjectionStrategy.SecurityContext, V134);
    assertNotEquals(hash(first), hash(third));
    assertEquals("120", agentTime(third));
    assertEquals("120", third.getSpec().getSecurityContext().getSysctls().get(0).getValue());
  }

  @Test
  void aPodThatSetsAllThreeSysctlsGetsNoInitContainerWithNothingToDo() {
    Pod pod = web();
    pod.getSpec()
        .setSecurityContext(
            new PodSecurityContextBuilder()
                .withSysctls(InjectedContainers.sysctls(new KeepaliveValues(600, 60, 3)))
                .build());
    Set<String> kept = injector.inject(pod, stored(1, 300), InjectionStrategy.InitContainer, V134);
    assertEquals(Set.copyOf(KeepaliveSysctl.SYSCTL_NAMES), kept);
    assertEquals(
        List.of(InjectedContainers.AGENT_CONTAINER),
        pod.getSpec().getInitContainers().stream().map(c -> c.getName()).toList());
    assertEquals("600", pod.getSpec().getSecurityContext().getSysctls().get(0).getValue());
    // the agent expects what the pod runs with, so the pod's own choice is not reported as drift
    var env = pod.getSpec().getInitContainers().get(0).getEnv();
    assertEquals(
        List.of("600", "60", "3"),
        List.of(
                "KEEPALIVE_DESIRED_TIME_SECONDS",
                "KEEPALIVE_DESIRED_INTERVAL_SECONDS",
                "KEEPALIVE_DESIRED_PROBES")
            .stream()
            .map(
                name ->
                    env.stream()
                        .filter(e -> e.getName().equals(name))
                        .findFirst()
                        .orElseThrow()
                        .getValue())
            .toList());
  }

  @Test
  void pullSecretsOfTheInjectedImageAreAddedAfterThePodsOwn() {
    PodInjector withSecrets =
        new PodInjector(
            new InjectedContainers(
                TestSettings.with(Map.of("keepalive.image-pull-secrets", "mirror,shared"))),
            new ObjectMapper());
    Pod pod = web();
    pod.getSpec().setImagePullSecrets(List.of(new LocalObjectReference("shared")));
    withSecrets.inject(pod, stored(1, 300), InjectionStrategy.SecurityContext, V134);
    assertEquals(
        List.of("shared", "mirror"),
        pod.getSpec().getImagePullSecrets().stream().map(LocalObjectReference::getName).toList());

    Pod withoutAgent = web();
    KeepalivePolicy noAgent = stored(2, 300); // another generation: the build cache keys on it
    noAgent.getSpec().setAgent(new AgentSettings());
    noAgent.getSpec().getAgent().setEnabled(false);
    withSecrets.inject(withoutAgent, noAgent, InjectionStrategy.SecurityContext, V134);
    assertEquals(
        List.of(),
        withoutAgent.getSpec().getImagePullSecrets(),
        "sysctls alone pull no image: no secret needed");
  }

  @Test
  void aCpuLimitOfNoneLeavesTheLimitOut() {
    PodInjector unlimited =
        new PodInjector(
            new InjectedContainers(TestSettings.with(Map.of("keepalive.agent.cpu-limit", "none"))),
            new ObjectMapper());
    Pod pod = web();
    unlimited.inject(pod, stored(1, 300), InjectionStrategy.InitContainer, V134);
    var agent = pod.getSpec().getInitContainers().get(1).getResources();
    assertEquals(Set.of("memory"), agent.getLimits().keySet());
    assertEquals(Set.of("cpu", "memory"), agent.getRequests().keySet());
    assertEquals(
        Set.of("cpu", "memory"),
        pod.getSpec().getInitContainers().get(0).getResources().getLimits().keySet(),
        "the init container keeps its own default");
  }
}
