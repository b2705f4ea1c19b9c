package io.keepalive.webhook;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's own CA and serving certificate, as PEM. EC P-256: small, and the API server's TLS
 * handshake with it is cheap. The CA signs only this one serving certificate; its key never leaves
 * the operator's Secret.
 */
public final class WebhookCertificates {
  private static final Pattern IP = Pattern.compile("^[0-9.]+$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookCertificates() {}

  /** PEM of a key and its certificate. */
  public record Pem(String certificate, String key) {}

  /** A CA (certificate + key) and a serving certificate it signed. */
  public record Bundle(Pem ca, Pem serving) {}

  /**
   * The names the API server may use to reach the webhook: the Service in-cluster, loopback
   * outside.
   */
  public static List<String> subjectAltNames(String service, String namespace) {
    return List.of(
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local",
        "localhost",
        "127.0.0.1");
  }

  public static Pem newCa(String commonName, Duration validity, Instant now) {
    KeyPair keys = ecKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minus(Duration.ofHours(1))),
                  Date.from(now.plus(validity)),
                  name,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Pem(pem(sign(builder, keys.getPrivate())), pem(keys.getPrivate()));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the webhook CA", e);
    }
  }

  public static Pem issueServing(
      Pem ca, Collection<String> subjectAltNames, Duration validity, Instant now) {
    X509Certificate caCert = certificate(ca.certificate());
    PrivateKey caKey = privateKey(ca.key());
    KeyPair keys = ecKeyPair();
    List<GeneralName> sans = new ArrayList<>();
    for (String san : subjectAltNames) {
      sans.add(
          IP.matcher(san).matches()
              ? new GeneralName(GeneralName.iPAddress, san)
              : new GeneralName(GeneralName.dNSName, san));
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      Instant notAfter = now.plus(validity);
      if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
        notAfter = caCert.getNotAfter().toInstant();
      }
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  caCert,
                  serial(),
                  Date.from(now.minus(Duration.ofHours(1))),
                  Date.from(notAfter),
                  new X500Name("CN=" + subjectAltNames.iterator().next()),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(sans.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Pem(pem(sign(builder, caKey)), pem(keys.getPrivate()));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue the webhook's serving certificate", e);
    }
  }

  /**
   * Whether a stored bundle can serve: the CA signed the serving certificate, it names every SAN
   * wanted, and more than a third of its lifetime is left (so a restart renews well before expiry).
   */
  public static boolean stillGood(Bundle bundle, Collection<String> wantedSans, Instant now) {
    try {
      X509Certificate ca = certificate(bundle.ca().certificate());
      X509Certificate serving = certificate(bundle.serving().certificate());
      privateKey(bundle.serving().key());
      privateKey(bundle.ca().key());
      serving.verify(ca.getPublicKey());
      if (!subjectAltNames(serving).containsAll(wantedSans)) {
        return false;
      }
      return caGood(bundle.ca(), now) && remainingFraction(serving, now) > 1.0 / 3;
    } catch (RuntimeException | GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * A CA is reused (so the caBundle stays put) while it has more than a third of its lifetime left.
   */
  public static boolean caGood(Pem ca, Instant now) {
    try {
      X509Certificate cert = certificate(ca.certificate());
      privateKey(ca.key());
      return cert.getBasicConstraints() >= 0 && remainingFraction(cert, now) > 1.0 / 3;
    } catch (RuntimeException e) {
      return false;
    }
  }

  public static Set<String> subjectAltNames(X509Certificate cert) {
    Set<String> names = new HashSet<>();
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> san : cert.getSubjectAlternativeNames()) {
          names.add(String.valueOf(san.get(1)));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return names;
  }

  public static X509Certificate certificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("not a PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IllegalArgumentException("not a PEM private key");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
  }

  private static double remainingFraction(X509Certificate cert, Instant now) {
    long total = cert.getNotAfter().getTime() - cert.getNotBefore().getTime();
    long left = cert.getNotAfter().getTime() - now.toEpochMilli();
    return total <= 0 ? 0 : (double) left / total;
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
