package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * With keepalive.webhook.client-ca-file set, only a caller with a client certificate from that CA
 * (the API server, configured to present one) gets past the TLS handshake; anyone else who reaches
 * the port is refused before a byte of HTTP.
 */
class WebhookClientCertificateTest {

  /** A client certificate signed by {@code ca}, as a key manager for a TLS client. */
  static KeyManager[] clientCertificate(WebhookCertificates.Pem ca, String name) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    X509Certificate caCert = WebhookCertificates.certificate(ca.certificate());
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
                caCert,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=" + name),
                keys.getPublic())
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA")
                        .build(WebhookCertificates.privateKey(ca.key()))));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "client", keys.getPrivate(), new char[0], new X509Certificate[] {cert, caCert});
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, new char[0]);
    return factory.getKeyManagers();
  }

  @Test
  void onlyCallersWithACertificateOfTheConfiguredCaAreServed() throws Exception {
    var apiServerCa =
        WebhookCertificates.newCa("api-server-clients", Duration.ofDays(1), Instant.now());
    var strangerCa = WebhookCertificates.newCa("stranger", Duration.ofDays(1), Instant.now());
    Path caFile = Files.createTempFile("client-ca", ".pem");
    Files.writeString(caFile, apiServerCa.certificate());
    Optional<Path> clientCa = Optional.of(caFile);
    try (var apiServer =
        new WebhookFixture(
            WebhookServer.Limits.defaults(),
            AdmissionOutcomes.NONE,
            clientCa,
            clientCertificate(apiServerCa, "kube-apiserver"))) {
      assertEquals(200, apiServer.post(WebhookFixture.POD_REVIEW).statusCode());
    }
    try (var anyone =
        new WebhookFixture(
            WebhookServer.Limits.defaults(), AdmissionOutcomes.NONE, clientCa, null)) {
      assertThrows(IOException.class, () -> anyone.post(WebhookFixture.POD_REVIEW));
    }
    try (var stranger =
        new WebhookFixture(
            WebhookServer.Limits.defaults(),
            AdmissionOutcomes.NONE,
            clientCa,
            clientCertificate(strangerCa, "stranger"))) {
      assertThrows(IOException.class, () -> stranger.post(WebhookFixture.POD_REVIEW));
    }
  }
}
