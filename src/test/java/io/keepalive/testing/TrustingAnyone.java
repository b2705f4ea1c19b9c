package io.keepalive.testing;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for clients of the operator's webhook in tests about whether it answers (under load, while it
 * does not lead, to reviews nobody should send): it trusts any certificate. The webhook's own TLS,
 * with its CA, is tested where it is the subject.
 */
public final class TrustingAnyone {
  private TrustingAnyone() {}

  public static SSLContext context() {
    TrustManager[] anyone = {
      new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }
    };
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, anyone, null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
