package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final List<String> SANS =
      List.of("keepalive-operator-webhook.keepalive-system.svc", "127.0.0.1");
  final CertificateAuthority authority = new CertificateAuthority(SANS, Duration.ofDays(365));

  @Test
  void nothingStoredMakesACaAndAServingCertificateItSigned() {
    var bundle = authority.due(null, T0);
    assertTrue(WebhookCertificates.stillGood(bundle, SANS, T0));
    assertTrue(
        WebhookCertificates.caGood(bundle.ca(), T0.plus(Duration.ofDays(2000))),
        "the CA lives ten times longer");
  }

  @Test
  void aGoodBundleIsKeptAsItIs() {
    var bundle = authority.due(null, T0);
    assertSame(bundle, authority.due(bundle, T0.plus(Duration.ofDays(200))));
  }

  @Test
  void aMissingNameIsIssuedFromTheSameCa() {
    var bundle = new CertificateAuthority(List.of("127.0.0.1"), Duration.ofDays(365)).due(null, T0);
    var reissued = authority.due(bundle, T0);
    assertEquals(bundle.ca(), reissued.ca());
    assertNotEquals(bundle.serving(), reissued.serving());
    assertTrue(WebhookCertificates.stillGood(reissued, SANS, T0));
  }

  @Test
  void anAgedCaIsReplaced() {
    var bundle = authority.due(null, T0);
    Instant late = T0.plus(Duration.ofDays(2500));
    var renewed = authority.due(bundle, late);
    assertNotEquals(bundle.ca(), renewed.ca());
    assertTrue(WebhookCertificates.stillGood(renewed, SANS, late));
  }
}
