package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The namespace-label and version rules, as pod-security-admission applies them. */
class PodSecurityTest {

  @ParameterizedTest(name = "enforce={0} version={1} default={2} -> sysctls {3}, privileged {4}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
            -          , -       , privileged, true , true
            -          , v1.28   , privileged, true , true
            -          , -       , baseline  , true , false
            -          , v1.28   , baseline  , false, false
            privileged , v1.20   , restricted, true , true
            baseline   , -       , privileged, true , false
            baseline   , latest  , privileged, true , false
            baseline   , v1.29   , privileged, true , false
            baseline   , v1.28   , privileged, false, false
            restricted , v1.35   , privileged, true , false
            restricted , v1.25   , privileged, false, false
            restricted , vNext   , privileged, false, false
            Baseline   , -       , privileged, true , false
            bogus      , -       , privileged, true , false
            """)
  void labels(
      String enforce, String version, String clusterDefault, boolean sysctls, boolean privileged) {
    Map<String, String> labels = new HashMap<>();
    if (enforce != null) {
      labels.put(PodSecurity.ENFORCE_LABEL, enforce);
    }
    if (version != null) {
      labels.put(PodSecurity.ENFORCE_VERSION_LABEL, version);
    }
    PodSecurity ps = PodSecurity.of(labels, PodSecurity.Level.valueOf(clusterDefault));
    assertEquals(sysctls, ps.allowsKeepaliveSysctls(), ps.toString());
    assertEquals(privileged, ps.allowsPrivileged(), ps.toString());
  }

  @Test
  void unknownLevelIsRestrictedLikePodSecurityAdmission() {
    assertEquals(
        PodSecurity.Level.restricted,
        PodSecurity.of(Map.of(PodSecurity.ENFORCE_LABEL, "bogus"), PodSecurity.Level.privileged)
            .level());
  }
}
