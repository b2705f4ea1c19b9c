package io.keepalive.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Keeps the certificate the webhook presents current. Every {@code checkEvery} of the clock it asks
 * the source for the certificate due now (the Secret's, which the authority renews when a third of
 * its lifetime is left; or the files cert-manager renews) and, when that changed, makes the API
 * server trust the new CA before presenting a certificate it signed, so no admission meets an
 * unknown CA.
 */
final class CertificateRotation {
  private static final Logger LOG = Logger.getLogger(CertificateRotation.class);
  private final Supplier<WebhookTls.Material> source;
  private final Duration checkEvery;
  private final Clock clock;
  private final Consumer<String> trust;
  private final Consumer<WebhookCertificates.Pem> present;
  private WebhookTls.Material presented;
  private Instant nextCheck;

  /**
   * @param presented what the server presents now, and the CA bundle the API server trusts
   * @param trust makes the API server trust a CA bundle (PEM); not called when the caBundle is
   *     someone else's
   * @param present presents a serving certificate to new connections
   */
  CertificateRotation(
      Supplier<WebhookTls.Material> source,
      Duration checkEvery,
      Clock clock,
      WebhookTls.Material presented,
      Consumer<String> trust,
      Consumer<WebhookCertificates.Pem> present) {
    this.source = source;
    this.checkEvery = checkEvery;
    this.clock = clock;
    this.presented = presented;
    this.trust = trust;
    this.present = present;
    this.nextCheck = clock.instant().plus(checkEvery);
  }

  /** Called often (a timer); checks when a check is due. Never concurrently with itself. */
  void tick() {
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) {
      return;
    }
    nextCheck = now.plus(checkEvery);
    try {
      WebhookTls.Material current = source.get();
      if (current.serving().equals(presented.serving())) {
        return;
      }
      if (!current.caBundle().equals(presented.caBundle())) {
        // both CAs: the API server may still meet the old certificate on a connection it keeps
        trust.accept(current.caBundle() + presented.caBundle());
      }
      present.accept(current.serving());
      presented = current;
      LOG.info("webhook certificate renewed");
    } catch (RuntimeException e) {
      // the presented certificate stays; the next check tries again
      LOG.warnf("cannot renew the webhook certificate: %s", e.getMessage());
    }
  }

  WebhookTls.Material presented() {
    return presented;
  }
}
