package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Rollover driven by a clock the test moves: the authority renews the serving certificate from the
 * same CA when a third of its lifetime is left, the CA itself when a third of its own is; a new CA
 * is trusted before a certificate it signed is presented. The stored bundle stands for the Secret.
 */
class CertificateRotationTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  final TestClock clock = new TestClock(T0);
  final CertificateAuthority authority =
      new CertificateAuthority(List.of("localhost", "127.0.0.1"), Duration.ofDays(365));
  final AtomicReference<WebhookCertificates.Bundle> secret = new AtomicReference<>();
  final AtomicInteger reads = new AtomicInteger();
  final List<String> events = new ArrayList<>();

  WebhookTls.Material load() {
    reads.incrementAndGet();
    WebhookCertificates.Bundle due = authority.due(secret.get(), clock.instant());
    secret.set(due);
    return new WebhookTls.Material(due.serving(), due.ca().certificate());
  }

  CertificateRotation rotation() {
    return new CertificateRotation(
        this::load,
        HOUR,
        clock,
        load(),
        caBundle ->
            events.add("trust " + (caBundle.split("BEGIN CERTIFICATE", -1).length - 1) + " CAs"),
        pem -> events.add("present"));
  }

  @Test
  void aGoodCertificateIsKeptAndLookedAtOncePerCheck() {
    CertificateRotation rotation = rotation();
    WebhookTls.Material first = rotation.presented();
    clock.advance(Duration.ofMinutes(59));
    rotation.tick();
    assertEquals(1, reads.get(), "not due before an hour");
    clock.advance(Duration.ofDays(100));
    rotation.tick();
    rotation.tick();
    assertEquals(2, reads.get(), "one look per check");
    assertSame(first, rotation.presented());
    assertEquals(List.of(), events);
  }

  @Test
  void withAThirdOfItsLifetimeLeftTheServingCertificateIsRenewedFromTheSameCa() {
    CertificateRotation rotation = rotation();
    WebhookTls.Material first = rotation.presented();
    clock.advance(Duration.ofDays(244));
    rotation.tick();
    assertNotEquals(first.serving(), rotation.presented().serving());
    assertEquals(
        first.caBundle(), rotation.presented().caBundle(), "the API server's caBundle stays put");
    assertEquals(List.of("present"), events);
  }

  @Test
  void aNewCaIsTrustedNextToTheOldBeforeACertificateItSignedIsPresented() {
    CertificateRotation rotation = rotation();
    WebhookTls.Material first = rotation.presented();
    // the CA lives ten times 365 days and is replaced with a third of that left
    clock.advance(Duration.ofDays(2434));
    rotation.tick();
    assertNotEquals(first.caBundle(), rotation.presented().caBundle());
    assertEquals(
        List.of("trust 2 CAs", "present"), events, "both CAs trusted, then the new certificate");
    assertTrue(
        WebhookCertificates.stillGood(secret.get(), authority.subjectAltNames(), clock.instant()));
  }

  @Test
  void aSourceThatFailsKeepsTheCertificateAndTriesAgainAtTheNextCheck() {
    AtomicInteger calls = new AtomicInteger();
    WebhookTls.Material initial = load();
    CertificateRotation rotation =
        new CertificateRotation(
            () -> {
              calls.incrementAndGet();
              throw new IllegalStateException("API server unreachable");
            },
            HOUR,
            clock,
            initial,
            caBundle -> events.add("trust"),
            pem -> events.add("present"));
    clock.advance(HOUR);
    rotation.tick();
    rotation.tick();
    clock.advance(HOUR);
    rotation.tick();
    assertEquals(2, calls.get());
    assertSame(initial, rotation.presented());
    assertEquals(List.of(), events);
  }
}
