package io.keepalive.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.FixedCluster;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real HTTPS webhook server on a free port with its own CA, a handler over one namespace "shop"
 * with one policy selecting app=web, and clients that trust the CA: {@link #http} for ordinary
 * requests, {@link #raw} for bytes no well-behaved client sends.
 */
final class WebhookFixture implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static final String POD_REVIEW =
      """
      {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
       "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
       "operation":"CREATE","namespace":"shop",
       "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"app","image":"app:1"}]}}}}
      """;

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Vertx vertx = Vertx.vertx();
  final WebhookServer server;
  final URI uri;
  final HttpClient http;
  private final SSLContext ssl;
  private final int port;

  WebhookFixture(WebhookServer.Limits limits, AdmissionOutcomes outcomes) throws Exception {
    this(limits, outcomes, Optional.empty(), null);
  }

  /** Namespace "shop" with one policy selecting app=web, as the API server version 1.34 sees it. */
  static FixedCluster shop() {
    var policy =
        Policies.named("keepalive").namespace("shop").created("2026-01-01T00:00:00Z").build();
    return new FixedCluster(
        new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
        List.of(policy),
        new ClusterFacts(new KubeVersion(1, 34)));
  }

  WebhookFixture(
      WebhookServer.Limits limits,
      AdmissionOutcomes outcomes,
      Optional<Path> clientCa,
      KeyManager[] clientKeys)
      throws Exception {
    this(limits, outcomes, shop(), clientCa, clientKeys);
  }

  /**
   * @param cluster what the handler knows of the cluster
   * @param clientCa the CAs of accepted client certificates, if any
   * @param clientKeys this client's key and certificate (null: none)
   */
  WebhookFixture(
      WebhookServer.Limits limits,
      AdmissionOutcomes outcomes,
      ClusterView cluster,
      Optional<Path> clientCa,
      KeyManager[] clientKeys)
      throws Exception {
    var ca = WebhookCertificates.newCa("test-ca", Duration.ofDays(30), Instant.now());
    var serving =
        WebhookCertificates.issueServing(
            ca, List.of("localhost", "127.0.0.1"), Duration.ofDays(10), Instant.now());
    AdmissionHandler handler =
        new AdmissionHandler(
            new AdmissionCodec(MAPPER),
            cluster,
            new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER),
            PodSecurity.Level.privileged,
            outcomes);
    port = Ports.free();
    server =
        new WebhookServer(
            vertx,
            port,
            "/mutate-pods",
            () -> handler,
            new WebhookMetrics(registry),
            limits,
            clientCa);
    server.start(serving);
    uri = URI.create("https://127.0.0.1:" + port + "/mutate-pods");

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", WebhookCertificates.certificate(ca.certificate()));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    ssl = SSLContext.getInstance("TLS");
    ssl.init(clientKeys, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return post("application/json", body);
  }

  HttpResponse<String> post(String contentType, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  double count(String name) {
    var counter = registry.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  double rejected(String reason) {
    var counter =
        registry.find("keepalive.webhook.requests.rejected").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  /** An HTTP/2 connection (ALPN h2) that writes frames as the test says. */
  RawH2 rawH2() throws IOException {
    SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    if (!"h2".equals(socket.getApplicationProtocol())) {
      socket.close();
      throw new IOException("the server did not agree to h2 by ALPN");
    }
    return new RawH2(socket, "/mutate-pods");
  }

  /** A TLS connection that writes whatever the test says, as slowly as it says. */
  Raw raw() throws IOException {
    SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    socket.startHandshake();
    return new Raw(socket);
  }

  @Override
  public void close() {
    server.stop();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /**
   * A raw HTTP/1.1 exchange over TLS.
   *
   * @param status 0 when the server closed the connection without answering
   */
  record Answer(int status, String head, String body) {}

  static final class Raw implements AutoCloseable {
    final SSLSocket socket;

    Raw(SSLSocket socket) {
      this.socket = socket;
    }

    Raw send(String text) throws IOException {
      return send(text.getBytes(StandardCharsets.UTF_8));
    }

    Raw send(byte[] bytes) throws IOException {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return this;
    }

    /** The POST request line and headers of a review with this Content-Length. */
    Raw head(long contentLength) throws IOException {
      return send(
          "POST /mutate-pods HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + contentLength
              + "\r\n\r\n");
    }

    /** Reads one answer (Content-Length bodies, as the server writes them), or a close. */
    Answer read() throws IOException {
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r\n\r\n")) {
          break;
        }
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.")) {
        return new Answer(0, text, "");
      }
      int status = Integer.parseInt(text.substring(9, 12));
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      return new Answer(status, text, new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the server closes the connection within 5 s (reads to the end first). */
    boolean closedByServer() throws IOException {
      socket.setSoTimeout(5_000);
      try {
        return socket.getInputStream().read() < 0;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset, or TLS closed under us: closed as well
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
