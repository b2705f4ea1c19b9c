package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.spec.InjectionStrategy;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which strategy works where, and the named reason where none does. */
class StrategyChoiceTest {
  static final ClusterFacts V134 = new ClusterFacts(new KubeVersion(1, 34));
  static final ClusterFacts V128 = new ClusterFacts(new KubeVersion(1, 28));

  static PodSecurity podSecurity(String level, String version) {
    return PodSecurity.of(
        version.isEmpty()
            ? Map.of(PodSecurity.ENFORCE_LABEL, level)
            : Map.of(PodSecurity.ENFORCE_LABEL, level, PodSecurity.ENFORCE_VERSION_LABEL, version),
        PodSecurity.Level.privileged);
  }

  @ParameterizedTest(name = "{0} on {1}, enforce={2} {3} -> {4}")
  @CsvSource(
      textBlock =
          """
            Auto,            1.34, restricted, '',    SecurityContext
            Auto,            1.34, baseline,   v1.28, PodSecurityForbidsSysctls
            Auto,            1.34, privileged, v1.28, SecurityContext
            Auto,            1.28, privileged, '',    InitContainer
            Auto,            1.28, restricted, '',    PodSecurityForbidsPrivileged
            SecurityContext, 1.34, restricted, '',    SecurityContext
            SecurityContext, 1.28, privileged, '',    ClusterTooOld
            SecurityContext, 1.34, baseline,   v1.28, PodSecurityForbidsSysctls
            InitContainer,   1.34, privileged, '',    InitContainer
            InitContainer,   1.34, restricted, '',    PodSecurityForbidsPrivileged
            """)
  void resolveOrNameTheReason(
      InjectionStrategy asked, String cluster, String level, String version, String expected) {
    ClusterFacts facts = cluster.equals("1.34") ? V134 : V128;
    PodSecurity ps = podSecurity(level, version);
    Optional<InjectionStrategy> chosen = StrategyChoice.resolve(asked, ps, facts);
    String outcome =
        chosen.map(Enum::name).orElseGet(() -> StrategyChoice.whyNot(asked, ps, facts).name());
    assertEquals(expected, outcome);
    assertTrue(chosen.map(s -> s != InjectionStrategy.Auto).orElse(true), "never Auto");
  }

  @Test
  void explanationsNameTheLabelToChange() {
    String why =
        StrategyChoice.explain(InjectionStrategy.Auto, podSecurity("baseline", "v1.28"), V134);
    assertTrue(why.contains(PodSecurity.ENFORCE_VERSION_LABEL), why);
    assertTrue(why.contains("privileged init container"), why);
    String old =
        StrategyChoice.explain(
            InjectionStrategy.SecurityContext, podSecurity("privileged", ""), V128);
    assertEquals(
        "strategy SecurityContext: the API server is v1.28 and the keepalive sysctls are safe only from v1.29",
        old);
  }
}
