package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keepalive.policy.PodMarks;
import io.keepalive.settings.OperatorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Where the webhook's key and certificate come from: a directory an external issuer fills
 * (cert-manager), or the operator's own CA kept in a Secret of its namespace, reused across
 * restarts and replicas.
 */
public final class WebhookTls {
  private static final Logger LOG = Logger.getLogger(WebhookTls.class);
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String TLS_CERT = "tls.crt";
  public static final String TLS_KEY = "tls.key";

  /**
   * What the server presents, and the CA bundle the API server must trust (empty when someone else
   * injects it).
   */
  public record Material(WebhookCertificates.Pem serving, String caBundle) {}

  private WebhookTls() {}

  /**
   * The certificate due now: from the directory when one is set, else from the Secret through the
   * authority.
   */
  public static Material load(KubernetesClient client, OperatorSettings settings, Instant now) {
    var webhook = settings.webhook();
    if (webhook.certificateDir().isPresent()) {
      return fromDirectory(Path.of(webhook.certificateDir().get()));
    }
    CertificateAuthority authority =
        new CertificateAuthority(
            WebhookCertificates.subjectAltNames(webhook.serviceName(), settings.namespace()),
            Duration.ofDays(webhook.certificateValidityDays()));
    WebhookCertificates.Bundle bundle =
        fromSecret(client, settings.namespace(), webhook.secretName(), authority, now);
    return new Material(bundle.serving(), bundle.ca().certificate());
  }

  public static Material fromDirectory(Path dir) {
    try {
      String cert = Files.readString(dir.resolve(TLS_CERT));
      String key = Files.readString(dir.resolve(TLS_KEY));
      Path ca = dir.resolve(CA_CERT);
      return new Material(
          new WebhookCertificates.Pem(cert, key), Files.exists(ca) ? Files.readString(ca) : "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the webhook certificate from " + dir, e);
    }
  }

  /**
   * The bundle the authority says is due, kept in the Secret: reused while good, written when
   * renewed. A concurrent writer (another replica) wins: on a conflict the Secret is read again.
   */
  public static WebhookCertificates.Bundle fromSecret(
      KubernetesClient client,
      String namespace,
      String name,
      CertificateAuthority authority,
      Instant now) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
      WebhookCertificates.Bundle stored = secret == null ? null : bundle(secret);
      WebhookCertificates.Bundle due = authority.due(stored, now);
      if (due == stored) {
        LOG.debugf("reusing the webhook certificate from secret %s/%s", namespace, name);
        return stored;
      }
      Secret desired =
          new SecretBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .addToLabels(PodMarks.COMPONENT_LABEL, PodMarks.COMPONENT_VALUE)
              .withResourceVersion(
                  secret == null ? null : secret.getMetadata().getResourceVersion())
              .endMetadata()
              .withType("kubernetes.io/tls")
              .withData(data(due))
              .build();
      try {
        if (secret == null) {
          client.secrets().inNamespace(namespace).resource(desired).create();
        } else {
          client.secrets().inNamespace(namespace).resource(desired).update();
        }
        LOG.infof(
            "issued the webhook certificate (%s) into secret %s/%s",
            stored != null && due.ca().equals(stored.ca()) ? "same CA" : "new CA", namespace, name);
        return due;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    throw new IllegalStateException(
        "secret " + namespace + "/" + name + " keeps changing under us");
  }

  static WebhookCertificates.Bundle bundle(Secret secret) {
    Map<String, String> d = secret.getData();
    if (d == null || !d.keySet().containsAll(List.of(CA_CERT, CA_KEY, TLS_CERT, TLS_KEY))) {
      return null;
    }
    return new WebhookCertificates.Bundle(
        new WebhookCertificates.Pem(decode(d.get(CA_CERT)), decode(d.get(CA_KEY))),
        new WebhookCertificates.Pem(decode(d.get(TLS_CERT)), decode(d.get(TLS_KEY))));
  }

  static Map<String, String> data(WebhookCertificates.Bundle bundle) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CERT, encode(bundle.ca().certificate()));
    data.put(CA_KEY, encode(bundle.ca().key()));
    data.put(TLS_CERT, encode(bundle.serving().certificate()));
    data.put(TLS_KEY, encode(bundle.serving().key()));
    return data;
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
