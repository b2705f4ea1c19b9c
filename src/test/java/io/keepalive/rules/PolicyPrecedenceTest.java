package io.keepalive.rules;

import static io.keepalive.testing.Policies.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyPrecedenceTest {
  private static KeepalivePolicy policy(
      String name, Map<String, String> selecting, String created) {
    return Policies.named(name).selecting(selecting).created(created).build();
  }

  private static List<String> names(List<KeepalivePolicy> policies) {
    return policies.stream().map(p -> p.getMetadata().getName()).toList();
  }

  @Test
  void olderPolicyWinsAndNameBreaksTies() {
    var old = policy("zeta", WEB, "2026-01-01T00:00:00Z");
    var young = policy("alpha", Map.of(), "2026-01-02T00:00:00Z");
    var twin = policy("beta", WEB, "2026-01-01T00:00:00Z");
    var other = policy("aaa-db", Map.of("app", "db"), "2025-01-01T00:00:00Z");
    assertEquals(
        List.of("zeta", "alpha"),
        names(PolicyPrecedence.selecting(List.of(young, old, other), WEB)));
    assertEquals(
        List.of("beta", "zeta"), names(PolicyPrecedence.selecting(List.of(old, twin), WEB)));
  }

  @Test
  void aStoredPolicyWinsOverOneNotPersistedYet() {
    var stored = policy("z-stored", WEB, "2026-01-01T00:00:00Z");
    var fresh = policy("a-fresh", WEB, null);
    assertEquals(
        List.of("z-stored", "a-fresh"),
        names(PolicyPrecedence.selecting(List.of(fresh, stored), WEB)));
  }

  @Test
  void deletedAndIncompletePoliciesSelectNothing() {
    var deleted =
        Policies.named("deleted")
            .created("2026-01-01T00:00:00Z")
            .deleting("2026-03-01T00:00:00Z")
            .build();
    var noTcp = policy("no-tcp", WEB, "2026-01-01T00:00:00Z");
    noTcp.getSpec().setTcp(null);
    var alive = policy("alive", WEB, "2026-02-01T00:00:00Z");
    assertEquals(
        List.of("alive"), names(PolicyPrecedence.selecting(List.of(deleted, noTcp, alive), WEB)));
  }
}
