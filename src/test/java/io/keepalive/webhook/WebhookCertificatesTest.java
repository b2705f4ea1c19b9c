package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookCertificatesTest {
  static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
  static final List<String> SANS =
      WebhookCertificates.subjectAltNames("keepalive-operator-webhook", "keepalive-system");

  @Test
  void servingCertificateNamesTheServiceAndLoopbackAndIsSignedByTheCa() throws Exception {
    var ca = WebhookCertificates.newCa("test-ca", Duration.ofDays(3650), NOW);
    var serving = WebhookCertificates.issueServing(ca, SANS, Duration.ofDays(365), NOW);
    X509Certificate caCert = WebhookCertificates.certificate(ca.certificate());
    X509Certificate cert = WebhookCertificates.certificate(serving.certificate());
    assertEquals(
        Set.of(
            "keepalive-operator-webhook.keepalive-system.svc",
            "keepalive-operator-webhook.keepalive-system.svc.cluster.local",
            "localhost",
            "127.0.0.1"),
        WebhookCertificates.subjectAltNames(cert));
    cert.verify(caCert.getPublicKey());
    assertTrue(caCert.getBasicConstraints() >= 0, "the CA is a CA");
    assertEquals(-1, cert.getBasicConstraints(), "the serving certificate is not a CA");
    assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
    // the key in the PEM belongs to the certificate
    var key = WebhookCertificates.privateKey(serving.key());
    var signature = Signature.getInstance("SHA256withECDSA");
    signature.initSign(key);
    signature.update(new byte[] {1, 2, 3});
    byte[] signed = signature.sign();
    signature.initVerify(cert.getPublicKey());
    signature.update(new byte[] {1, 2, 3});
    assertTrue(signature.verify(signed));
  }

  @Test
  void aStoredBundleIsReusedOnlyWhileItIsGood() {
    var ca = WebhookCertificates.newCa("test-ca", Duration.ofDays(3650), NOW);
    var bundle =
        new WebhookCertificates.Bundle(
            ca, WebhookCertificates.issueServing(ca, SANS, Duration.ofDays(365), NOW));
    Instant now = NOW;
    assertTrue(WebhookCertificates.stillGood(bundle, SANS, now));
    assertFalse(
        WebhookCertificates.stillGood(bundle, List.of("other.keepalive-system.svc"), now),
        "missing SAN");
    assertFalse(
        WebhookCertificates.stillGood(bundle, SANS, now.plus(Duration.ofDays(300))),
        "two thirds used up");
    var otherCa = WebhookCertificates.newCa("other", Duration.ofDays(3650), NOW);
    assertFalse(
        WebhookCertificates.stillGood(
            new WebhookCertificates.Bundle(otherCa, bundle.serving()), SANS, now),
        "signed by another CA");
    assertFalse(
        WebhookCertificates.stillGood(
            new WebhookCertificates.Bundle(ca, new WebhookCertificates.Pem("garbage", "garbage")),
            SANS,
            now));
  }

  @Test
  void servingCertificateNeverOutlivesItsCa() {
    var ca = WebhookCertificates.newCa("short", Duration.ofDays(10), NOW);
    var serving = WebhookCertificates.issueServing(ca, SANS, Duration.ofDays(365), NOW);
    assertFalse(
        WebhookCertificates.certificate(serving.certificate())
            .getNotAfter()
            .after(WebhookCertificates.certificate(ca.certificate()).getNotAfter()));
  }

  @Test
  void garbageIsNotACertificate() {
    assertThrows(
        IllegalArgumentException.class, () -> WebhookCertificates.certificate("not a pem"));
    assertThrows(IllegalArgumentException.class, () -> WebhookCertificates.privateKey("not a pem"));
  }
}
