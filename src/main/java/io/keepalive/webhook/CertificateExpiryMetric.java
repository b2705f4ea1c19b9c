package io.keepalive.webhook;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * keepalive_webhook_certificate_expiry_timestamp_seconds: when the serving certificate the webhook
 * presents expires (Unix time), so an alert can fire before the API server stops trusting it.
 * Registered with the first certificate presented: before that there is no value, and no series.
 */
final class CertificateExpiryMetric {
  private final MeterRegistry registry;
  private volatile long notAfterEpochSeconds;
  private boolean registered;

  CertificateExpiryMetric(MeterRegistry registry) {
    this.registry = registry;
  }

  synchronized void presenting(WebhookCertificates.Pem serving) {
    notAfterEpochSeconds =
        WebhookCertificates.certificate(serving.certificate())
            .getNotAfter()
            .toInstant()
            .getEpochSecond();
    if (!registered) {
      Gauge.builder(
              "keepalive.webhook.certificate.expiry.timestamp", this, m -> m.notAfterEpochSeconds)
          .baseUnit("seconds")
          .description(
              "Unix time at which the webhook's serving certificate expires (the operator or "
                  + "cert-manager renews it before)")
          .register(registry);
      registered = true;
    }
  }
}
