package io.keepalive.webhook;

import io.keepalive.policy.spec.InjectionStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The namespace-label and version rules, as pod-security-admission applies them. */
class PodSecurityTest {

    @ParameterizedTest(name = "enforce={0} version={1} default={2} -> sysctls {3}, privileged {4}")
    @CsvSource(nullValues = "-", textBlock = """
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
    void labels(String enforce, String version, String clusterDefault, boolean sysctls, boolean privileged) {
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
        assertEquals(PodSecurity.Level.restricted,
                PodSecurity.of(Map.of(PodSecurity.ENFORCE_LABEL, "bogus"), PodSecurity.Level.privileged).level());
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            v1.28,        1, 28
            1.29,         1, 29
            v1.34.4,      1, 34
            v1.30.2-eks-1, 1, 30
            v1.31.1+k3s1, 1, 31
            """)
    void versions(String text, int major, int minor) {
        assertEquals(Optional.of(new KubeVersion(major, minor)), KubeVersion.parse(text));
    }

    @Test
    void versionFromTheApiServerFields() {
        assertEquals(new KubeVersion(1, 29), KubeVersion.of("1", "29+", "v1.29.3-gke.1").orElseThrow());
        assertEquals(new KubeVersion(1, 34), KubeVersion.of(null, null, "v1.34.4").orElseThrow());
        assertTrue(KubeVersion.parse("latest").isEmpty());
        assertTrue(KubeVersion.parse("v2").isEmpty());
    }

    @Test
    void safeSysctlsAndNativeSidecarsFrom129() {
        assertFalse(new ClusterFacts(new KubeVersion(1, 28)).keepaliveSysctlsAreSafe());
        assertFalse(new ClusterFacts(new KubeVersion(1, 28)).nativeSidecars());
        assertTrue(new ClusterFacts(new KubeVersion(1, 29)).keepaliveSysctlsAreSafe());
        assertTrue(new ClusterFacts(new KubeVersion(1, 29)).nativeSidecars());
    }

    @Test
    void explanationsNameTheLabelToChange() {
        PodSecurity pinned = PodSecurity.of(Map.of(PodSecurity.ENFORCE_LABEL, "baseline",
                PodSecurity.ENFORCE_VERSION_LABEL, "v1.28"), PodSecurity.Level.privileged);
        String why = StrategyChoice.explain(InjectionStrategy.Auto, pinned, new ClusterFacts(new KubeVersion(1, 34)));
        assertTrue(why.contains(PodSecurity.ENFORCE_VERSION_LABEL), why);
        assertTrue(why.contains("privileged init container"), why);
    }
}
