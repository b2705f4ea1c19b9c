package io.keepalive.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The operator's own CA, as cert-manager's webhook authority: given the bundle stored in the Secret
 * and the time, the bundle to serve. A stored bundle is kept while it is good (so the caBundle the
 * API server trusts stays put); else a serving certificate is issued from the stored CA, or from a
 * new CA when that is missing or has less than a third of its lifetime left. Time comes in as an
 * argument, so rollovers can be tested.
 *
 * @param subjectAltNames the names the API server may use to reach the webhook
 * @param validity of a serving certificate; a CA lives ten times as long
 */
public record CertificateAuthority(List<String> subjectAltNames, Duration validity) {
  static final String CA_NAME = "keepalive-operator-webhook-ca";

  /**
   * {@code stored} itself while it is still good; otherwise a fresh bundle. @param stored null when
   * none
   */
  public WebhookCertificates.Bundle due(WebhookCertificates.Bundle stored, Instant now) {
    if (stored != null && WebhookCertificates.stillGood(stored, subjectAltNames, now)) {
      return stored;
    }
    WebhookCertificates.Pem ca =
        stored != null && WebhookCertificates.caGood(stored.ca(), now)
            ? stored.ca()
            : WebhookCertificates.newCa(CA_NAME, validity.multipliedBy(10), now);
    return new WebhookCertificates.Bundle(
        ca, WebhookCertificates.issueServing(ca, subjectAltNames, validity, now));
  }
}
