package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KubeVersionTest {
  @ParameterizedTest
  @CsvSource(
      textBlock =
          """
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
  void ordersByMinorWithinAMajor() {
    assertTrue(new KubeVersion(1, 29).atLeast(KubeVersion.V1_29));
    assertTrue(new KubeVersion(1, 30).atLeast(KubeVersion.V1_29));
    assertFalse(new KubeVersion(1, 28).atLeast(KubeVersion.V1_29));
    assertTrue(new KubeVersion(2, 0).atLeast(KubeVersion.V1_29));
    assertEquals("v1.29", KubeVersion.V1_29.toString());
  }
}
