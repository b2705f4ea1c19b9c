package io.keepalive.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The HTTPS endpoint the API server calls: a dedicated Vert.x server with its key and certificate
 * in memory, so that they can be generated at startup and swapped without a restart. Thin: bytes
 * in, {@link AdmissionHandler}, bytes out. Reviews are handled on worker threads, unordered, so a
 * rare blocking lookup (a namespace not cached yet) never stalls the event loop.
 */
public final class WebhookServer {
  private static final Logger LOG = Logger.getLogger(WebhookServer.class);

  /** An AdmissionReview carries one object; etcd refuses objects above 1.5 MiB. */
  static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final String path;
  private final Supplier<AdmissionHandler> handler;
  private final WebhookMetrics metrics;
  private volatile HttpServer server;
  private volatile WorkerExecutor workers;
  private volatile WebhookCertificates.Pem certificate;

  public WebhookServer(
      Vertx vertx,
      int port,
      String path,
      Supplier<AdmissionHandler> handler,
      WebhookMetrics metrics) {
    this(vertx, "0.0.0.0", port, path, handler, metrics);
  }

  /** A server on one address only (the warm-up's, on loopback). */
  WebhookServer(
      Vertx vertx,
      String host,
      int port,
      String path,
      Supplier<AdmissionHandler> handler,
      WebhookMetrics metrics) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.path = path;
    this.handler = handler;
    this.metrics = metrics;
  }

  public synchronized void start(WebhookCertificates.Pem pem) {
    if (server != null) {
      return;
    }
    certificate = pem;
    // as many workers as cores: more would only contend for the CPU while the API server waits
    workers =
        vertx.createSharedWorkerExecutor(
            "keepalive-webhook", Runtime.getRuntime().availableProcessors());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setSsl(true)
            .setKeyCertOptions(keyCert(pem))
            .setIdleTimeout(120)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxFormAttributeSize(0)
            // the API server's webhook client (Go net/http) asks for h2 by ALPN: one multiplexed
            // connection instead of a pool of HTTP/1.1 connections, each with its own handshake
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    HttpServer created = vertx.createHttpServer(options).requestHandler(this::serve);
    server = await(created.listen());
    LOG.infof("webhook serving HTTPS on port %d, path %s", server.actualPort(), path);
  }

  /**
   * Stops serving (the API server then applies the failure policy); {@link #start()} serves again.
   */
  public synchronized void stop() {
    if (server != null) {
      await(server.close());
      server = null;
      workers.close();
    }
  }

  public synchronized void start() {
    start(certificate);
  }

  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  public int port() {
    return server.actualPort();
  }

  public boolean serving() {
    return server != null;
  }

  /** Presents a renewed certificate to new connections without closing the listener. */
  public synchronized void updateCertificate(WebhookCertificates.Pem pem) {
    certificate = pem;
    if (server != null) {
      await(server.updateSSLOptions(new SSLOptions().setKeyCertOptions(keyCert(pem))));
    }
  }

  private void serve(HttpServerRequest request) {
    if (!path.equals(request.path())) {
      request.response().setStatusCode(404).end("not found\n");
      return;
    }
    if (request.method() != HttpMethod.POST) {
      request
          .response()
          .setStatusCode(405)
          .putHeader("Allow", "POST")
          .end("POST an AdmissionReview\n");
      return;
    }
    if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      metrics.badRequest();
      request
          .response()
          .setStatusCode(415)
          .putHeader("Accept", "application/json")
          .end(
              "an AdmissionReview is application/json, not "
                  + request.getHeader(HttpHeaders.CONTENT_TYPE)
                  + "\n");
      return;
    }
    long start = System.nanoTime();
    Buffer body = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.length() + chunk.length() > MAX_BODY_BYTES) {
            if (!request.response().ended()) {
              request
                  .response()
                  .setStatusCode(413)
                  .setStatusMessage("Payload Too Large")
                  .end("AdmissionReview larger than " + MAX_BODY_BYTES + " bytes\n");
            }
            return;
          }
          body.appendBuffer(chunk);
        });
    request.exceptionHandler(
        e -> LOG.debugf("reading an AdmissionReview failed: %s", e.getMessage()));
    request.endHandler(
        v -> {
          if (request.response().ended()) {
            return;
          }
          workers
              .<AdmissionHandler.Reply>executeBlocking(
                  () -> handler.get().handle(body.getBytes()), false)
              .onComplete(
                  result -> {
                    AdmissionHandler.Reply reply;
                    if (result.succeeded()) {
                      reply = result.result();
                    } else {
                      // our bug, not the caller's: counted apart; the API server applies
                      // failurePolicy
                      LOG.errorf(result.cause(), "admission failed");
                      reply =
                          AdmissionHandler.Reply.failed(
                              "the webhook failed on this AdmissionReview: "
                                  + result.cause().getClass().getSimpleName()
                                  + ": "
                                  + result.cause().getMessage());
                    }
                    if (reply.status() == 400) {
                      metrics.badRequest();
                    } else if (reply.status() == 500) {
                      metrics.failed();
                    }
                    request
                        .response()
                        .setStatusCode(reply.status())
                        .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType())
                        .end(Buffer.buffer(reply.body()));
                    metrics.reviews().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                  });
        });
  }

  /** application/json, with or without parameters (charset), as the API server sends it. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase("application/json");
  }

  private static PemKeyCertOptions keyCert(WebhookCertificates.Pem pem) {
    return new PemKeyCertOptions()
        .addKeyValue(Buffer.buffer(pem.key()))
        .addCertValue(Buffer.buffer(pem.certificate()));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("webhook server: " + e.getMessage(), e);
    }
  }
}
