package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.InjectionCase;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconciler sees pods through the slim store; the webhook sees them whole. For every golden
 * pod both must come to the same decision, and the census must count the pod the same way, or the
 * status would say something else than the webhook did.
 */
class SlimPodStoreGoldenTest {
  static List<String> cases() {
    return InjectionCase.names();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theSlimPodIsJudgedLikeTheFullOne(String name) {
    InjectionCase golden = InjectionCase.load(name);
    Pod full = golden.pod();
    Pod slim = SlimPodStore.slim(golden.pod());
    assertEquals(decision(golden, full), decision(golden, slim), "decision");
    for (KeepalivePolicy policy : golden.policies()) {
      assertEquals(
          census(golden, policy, full),
          census(golden, policy, slim),
          "census of " + policy.getMetadata().getName());
    }
  }

  private static String decision(InjectionCase golden, Pod pod) {
    InjectionDecision decision =
        InjectionDecision.decide(
            pod,
            golden.namespaceName(),
            () -> Optional.of(golden.namespaceLabels()),
            golden.policies(),
            PodSecurity.Level.privileged,
            golden.cluster());
    return decision instanceof InjectionDecision.Inject inject
        ? "inject " + inject.policy().getMetadata().getName() + " " + inject.strategy()
        : "skip " + ((InjectionDecision.Skip) decision).reason();
  }

  /** Everything the census says but the pod objects it lists. */
  private static String census(InjectionCase golden, KeepalivePolicy policy, Pod pod) {
    PolicyCensus c = PolicyCensus.take(policy, golden.policies(), List.of(pod), Optional.empty());
    return List.of(
            c.matched(),
            c.injected(),
            c.stale(),
            c.notInjected(),
            c.skipped(),
            c.lostTo(),
            c.wonFromYounger(),
            c.carrying().size())
        .toString();
  }
}
