package io.keepalive.webhook;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The HTTPS endpoint the API server calls: a dedicated Vert.x server with its key and certificate
 * in memory, so that they can be generated at startup and swapped without a restart. Thin: bytes
 * in, {@link AdmissionHandler}, bytes out.
 *
 * <p>Whoever can reach the port can send anything, as slowly or as largely as they like, so what a
 * client may cost is bounded ({@link Limits}): the time to deliver a whole request, the body, the
 * header, the bytes held for all requests at once, the connections, and the reviews waiting for a
 * thread. Past a bound the client gets a status with a short reason (400, 408, 413, 414, 415, 431,
 * or 503 when the server protects itself) and the connection is closed; nothing it sends can make
 * the server hold more. Reviews run on worker threads in two lanes: large bodies queue behind each
 * other on their own thread, so they never keep an ordinary pod's review waiting.
 */
public final class WebhookServer {
  private static final Logger LOG = Logger.getLogger(WebhookServer.class);

  /**
   * What one client, or all of them together, may cost.
   *
   * @param maxBodyBytes the largest AdmissionReview (413 above)
   * @param largeBodyBytes bodies up to this size (announced with a Content-Length, as the API
   *     server does) are small: an ordinary pod's review is a few kilobytes
   * @param smallBytesInFlight memory for small bodies held at once (received, or waiting for a
   *     thread); past it the oldest small request still arriving gives way to the newest
   * @param largeBytesInFlight memory for the other bodies held at once; past it a new one is
   *     refused (503) before it is read, so large requests can never crowd out small ones
   * @param maxConnections open connections (past it, the oldest without a review being worked on is
   *     closed)
   * @param maxStreamsPerConnection requests at once on one HTTP/2 connection (the client is told,
   *     and a stream past it is refused); a client wanting more opens another connection
   * @param requestDeadline time to deliver a whole request, and the longest a review may wait for a
   *     thread (408, 503)
   * @param idleTimeout an idle connection is closed after this
   * @param inlineBodyBytes a body up to this size is reviewed on the event loop that received it (a
   *     pod's review is a few KiB, a fraction of a millisecond of work); a larger one goes to a
   *     lane's thread, so that the event loop keeps serving the other connections meanwhile
   * @param smallLaneThreads threads for ordinary reviews above {@code inlineBodyBytes}
   * @param largeLaneThreads threads for large reviews
   * @param maxQueued reviews waiting for a thread, per lane (503 above)
   */
  public record Limits(
      int maxBodyBytes,
      int largeBodyBytes,
      long smallBytesInFlight,
      long largeBytesInFlight,
      int maxConnections,
      int maxStreamsPerConnection,
      Duration requestDeadline,
      Duration idleTimeout,
      int inlineBodyBytes,
      int smallLaneThreads,
      int largeLaneThreads,
      int maxQueued) {

    /**
     * Sized by the heap: bodies in flight at most 1/24 of it for ordinary reviews and 1/6 for large
     * ones, up to 16 + 64 MiB (reached with a heap of 384 MiB; the chart's 128 MiB gets 5 + 21
     * MiB), and at most one large review (a few dozen times its size while parsed) at a time. At
     * most 500 connections of 4 streams each: with 8 KiB of headers per request at most 16 MiB of
     * headers.
     */
    public static Limits defaults() {
      long heap = Runtime.getRuntime().maxMemory();
      return new Limits(
          3 * 1024 * 1024,
          128 * 1024,
          Math.min(heap / 24, 16L * 1024 * 1024),
          Math.min(heap / 6, 64L * 1024 * 1024),
          500,
          4,
          Duration.ofSeconds(10),
          Duration.ofSeconds(60),
          INLINE_BODY_BYTES,
          Runtime.getRuntime().availableProcessors(),
          1,
          64);
    }
  }

  /**
   * Reviewed where it arrived: handing a review to a thread and back costs two thread wake-ups,
   * which on a busy node were half of what the webhook added to a pod's creation (the review itself
   * takes about 0.3 ms of CPU warm, with C1; bench/results/kyverno.md). Up to 32 KiB (a pod with
   * dozens of containers, env vars and volumes) it costs the event loop well under a millisecond,
   * and never a wait: a review that would ask the API server goes to a lane.
   */
  static final int INLINE_BODY_BYTES = 32 * 1024;

  /** The request headers the API server sends are a few hundred bytes. */
  private static final int MAX_HEADER_BYTES = 8192;

  /**
   * The reset of a stream answered before its request was whole: the client stops sending and keeps
   * the answer (RFC 9113, 8.1).
   */
  private static final long NO_ERROR = 0x0;

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final String path;
  private final Supplier<AdmissionHandler> handler;
  private final WebhookMetrics metrics;
  private final Limits limits;

  /** The CAs whose client certificates are required, when the cluster's API server presents one. */
  private final Optional<PemTrustOptions> clientCa;

  /** Memory for small bodies: the oldest small request still arriving gives way to the newest. */
  private final BodyBudget small;

  /** Memory for the other bodies: a new one is refused when it is full. */
  private final BodyBudget large;

  private final ConnectionLimit connections;

  private final RefusalLog refusals = new RefusalLog();
  private volatile HttpServer server;
  private volatile ThreadPoolExecutor smallLane;
  private volatile ThreadPoolExecutor largeLane;
  private volatile WebhookCertificates.Pem certificate;

  public WebhookServer(
      Vertx vertx,
      int port,
      String path,
      Supplier<AdmissionHandler> handler,
      WebhookMetrics metrics) {
    this(vertx, port, path, handler, metrics, Limits.defaults(), Optional.empty());
  }

  public WebhookServer(
      Vertx vertx,
      int port,
      String path,
      Supplier<AdmissionHandler> handler,
      WebhookMetrics metrics,
      Limits limits,
      Optional<Path> clientCa) {
    this(vertx, "0.0.0.0", port, path, handler, metrics, limits, clientCa);
  }

  /** A server on one address only (the warm-up's, on loopback). */
  WebhookServer(
      Vertx vertx,
      String host,
      int port,
      String path,
      Supplier<AdmissionHandler> handler,
      WebhookMetrics metrics,
      Limits limits,
      Optional<Path> clientCa) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.path = path;
    this.handler = handler;
    this.metrics = metrics;
    this.limits = limits;
    this.clientCa = clientCa.map(file -> new PemTrustOptions().addCertPath(file.toString()));
    this.small = new BodyBudget(limits.smallBytesInFlight(), true);
    this.large = new BodyBudget(limits.largeBytesInFlight(), false);
    this.connections = new ConnectionLimit(limits.maxConnections());
  }

  public synchronized void start(WebhookCertificates.Pem pem) {
    if (server != null) {
      return;
    }
    certificate = pem;
    smallLane = lane("keepalive-webhook", limits.smallLaneThreads(), limits.maxQueued());
    largeLane = lane("keepalive-webhook-large", limits.largeLaneThreads(), limits.maxQueued());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setSsl(true)
            .setKeyCertOptions(keyCert(pem))
            .setIdleTimeout((int) limits.idleTimeout().toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setSslHandshakeTimeout(10)
            .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
            // the API server sends a short request line and a few headers
            .setMaxInitialLineLength(4096)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setDecompressionSupported(false)
            .setMaxFormAttributeSize(0)
            // the API server's webhook client (Go net/http) asks for h2 by ALPN: one multiplexed
            // connection instead of a pool of HTTP/1.1 connections, each with its own handshake
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            // each stream is a request with the bounds above (its own deadline, its body in the
            // budget); a connection carries at most this many at once, each with headers as small
            // as HTTP/1.1's. Resets are rate-limited by Vert.x (rapid reset, CVE-2023-44487).
            .setInitialSettings(
                new Http2Settings()
                    .setMaxConcurrentStreams(limits.maxStreamsPerConnection())
                    .setMaxHeaderListSize(MAX_HEADER_BYTES)
                    .setPushEnabled(false));
    clientCa.ifPresent(trust -> options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(trust));
    HttpServer created =
        vertx
            .createHttpServer(options)
            .connectionHandler(this::opened)
            .invalidRequestHandler(this::invalid)
            .requestHandler(this::serve);
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
      smallLane.shutdownNow();
      largeLane.shutdownNow();
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
      SSLOptions renewed = new SSLOptions().setKeyCertOptions(keyCert(pem));
      clientCa.ifPresent(renewed::setTrustOptions);
      await(server.updateSSLOptions(renewed));
    }
  }

  /** Memory held for request bodies right now (tests). */
  long bytesInFlight() {
    return small.held() + large.held();
  }

  /** Connections open right now (tests). */
  int connections() {
    return connections.size();
  }

  private void opened(HttpConnection connection) {
    HttpConnection evicted = connections.opened(connection);
    if (evicted != null) {
      metrics.rejected("connections");
      refusals.log(503, "more than " + limits.maxConnections() + " connections: closed one");
      evicted.close();
    }
    if (evicted != connection) {
      connection.closeHandler(v -> connections.closed(connection));
    }
  }

  /** A request line or header Netty could not decode: too long, or not HTTP. */
  private void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpHeaderException) {
      refuse(request, 431, "request headers larger than 8 KiB");
    } else if (cause instanceof TooLongHttpLineException) {
      refuse(request, 414, "request line longer than 4 KiB");
    } else {
      refuse(
          request,
          400,
          "malformed HTTP request" + (cause == null ? "" : ": " + cause.getMessage()));
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
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (!isJson(contentType)) {
      request.response().putHeader("Accept", "application/json");
      refuse(
          request,
          415,
          "an AdmissionReview is application/json, not "
              + (contentType == null ? "nothing" : bounded(contentType)));
      return;
    }
    long declared = declaredLength(request);
    if (declared > limits.maxBodyBytes()) {
      refuse(request, 413, "AdmissionReview larger than " + limits.maxBodyBytes() + " bytes");
      return;
    }
    new Exchange(request, declared).receive();
  }

  /** One request, from its first byte to its answer; runs on the connection's event loop. */
  private final class Exchange implements BodyBudget.Request {
    final HttpServerRequest request;
    final Context context = vertx.getOrCreateContext();
    final long start = System.nanoTime();
    final AtomicInteger reviewing;

    /** The announced length, or -1 (chunked). */
    final long declared;

    final BodyBudget pool;
    Buffer body;

    /** Set from the thread of the request it gave way to. */
    volatile boolean gaveWay;

    long deadline = -1;
    boolean settled;

    Exchange(HttpServerRequest request, long declared) {
      this.request = request;
      this.declared = declared;
      this.reviewing = connections.reviewing(request.connection());
      this.pool = declared >= 0 && declared <= limits.largeBodyBytes() ? small : large;
    }

    void receive() {
      pool.arriving(this);
      if (declared > 0 && !pool.reserve(this, declared)) {
        busy();
        return;
      }
      deadline =
          vertx.setTimer(
              limits.requestDeadline().toMillis(),
              id ->
                  settle(
                      408,
                      "the whole AdmissionReview did not arrive within "
                          + limits.requestDeadline().toSeconds()
                          + " s"));
      request.handler(this::chunk);
      // also told when the client closes the connection mid-request: what it sent is let go
      request.exceptionHandler(
          e -> {
            settle(400, "malformed HTTP request: " + bounded(String.valueOf(e.getMessage())));
            // a malformed chunk: Vert.x closes the connection as soon as this returns, before it
            // flushes what was written while reading, so the 400 would be lost unless flushed now
            if (request.connection() instanceof ConnectionBase connection) {
              connection.channelHandlerContext().flush();
            }
          });
      request.endHandler(v -> received());
    }

    void chunk(Buffer chunk) {
      if (settled) {
        return;
      }
      if (body == null) {
        // allocated when the body starts, at the announced size: announcing costs nothing
        body = Buffer.buffer((int) Math.max(declared, 0));
      }
      if (body.length() + chunk.length() > limits.maxBodyBytes()) {
        settle(413, "AdmissionReview larger than " + limits.maxBodyBytes() + " bytes");
        return;
      }
      // of unknown length: reserved as it comes, twice (a growing buffer may hold that much)
      if (declared < 0 && !pool.reserve(this, 2L * chunk.length())) {
        busy();
        return;
      }
      body.appendBuffer(chunk);
    }

    /** No room for its body (unless it gave way meanwhile, and is being answered for that). */
    void busy() {
      if (!settled && !gaveWay) {
        metrics.rejected("bytes_in_flight");
        settle(503, "webhook busy: too many request bytes in flight, retry");
      }
    }

    void received() {
      if (settled) {
        return;
      }
      cancelDeadline();
      pool.arrived(this);
      if (body == null) {
        body = Buffer.buffer(0);
      }
      reviewing.incrementAndGet();
      if (body.length() <= limits.inlineBodyBytes()) {
        AdmissionHandler.Reply reply = review(false);
        if (reply != AdmissionHandler.NEEDS_THREAD) {
          answer(reply);
          return;
        }
      }
      boolean large = body.length() > limits.largeBodyBytes();
      long queued = System.nanoTime();
      try {
        (large ? largeLane : smallLane).execute(() -> reviewQueued(queued));
      } catch (RejectedExecutionException e) {
        reviewing.decrementAndGet();
        metrics.rejected("queue_full");
        settle(503, "webhook busy: too many reviews waiting, retry");
      }
    }

    /** On a lane's thread; answers on the event loop. */
    void reviewQueued(long queued) {
      AdmissionHandler.Reply reply;
      if (System.nanoTime() - queued > limits.requestDeadline().toNanos()) {
        // the API server gave up on it long ago; its answer would only cost more
        metrics.rejected("queued_too_long");
        reply =
            AdmissionHandler.Reply.text(
                503, "webhook busy: the review waited too long for a thread");
      } else {
        reply = review(true);
      }
      context.runOnContext(v -> answer(reply));
    }

    /**
     * @param mayWait false on the event loop: a review that would wait for the API server comes
     *     back {@link AdmissionHandler#NEEDS_THREAD}
     */
    AdmissionHandler.Reply review(boolean mayWait) {
      try {
        return handler.get().handle(body.getBytes(), mayWait);
      } catch (Throwable e) { // even an Error: whatever happened, the caller gets an answer
        // our bug, not the caller's: counted apart; the API server applies failurePolicy
        LOG.errorf(e, "admission failed");
        return AdmissionHandler.Reply.failed(
            "the webhook failed on this AdmissionReview: "
                + e.getClass().getSimpleName()
                + ": "
                + e.getMessage());
      }
    }

    void answer(AdmissionHandler.Reply reply) {
      reviewing.decrementAndGet();
      release();
      if (settled) {
        return;
      }
      settled = true;
      if (reply.status() == 400) {
        metrics.badRequest();
        refusals.log(400, new String(reply.body(), StandardCharsets.UTF_8));
      } else if (reply.status() == 500) {
        metrics.failed();
      }
      if (request.response().closed()) {
        return;
      }
      request
          .response()
          .setStatusCode(reply.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType())
          .end(Buffer.buffer(reply.body()));
      metrics.reviews().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** Refuses the request before it is reviewed, and lets go of what it holds. */
    void settle(int status, String message) {
      if (settled) {
        return;
      }
      settled = true;
      cancelDeadline();
      release();
      refuse(request, status, message);
    }

    void cancelDeadline() {
      if (deadline >= 0) {
        vertx.cancelTimer(deadline);
        deadline = -1;
      }
    }

    void release() {
      pool.release(this);
    }

    @Override
    public void gaveWay() {
      gaveWay = true;
      metrics.rejected("bytes_in_flight");
      context.runOnContext(
          v ->
              settle(
                  503,
                  "webhook busy: too many request bytes in flight; this request gave way to a"
                      + " newer one"));
    }
  }

  /**
   * Answers with a short reason and closes the connection: what else it sends is not read. On
   * HTTP/2 only the request's stream is closed (reset, so the client stops sending its body): the
   * connection carries the API server's other reviews.
   */
  private void refuse(HttpServerRequest request, int status, String message) {
    // nothing more is read (nor decrypted) from this client before the connection is closed
    request.pause();
    if (status == 503) {
      // counted by reason where it is decided
    } else {
      metrics.badRequest();
    }
    refusals.log(status, message);
    boolean stream = request.version() == HttpVersion.HTTP_2;
    Runnable close =
        stream ? () -> request.response().reset(NO_ERROR) : () -> request.connection().close();
    if (request.response().ended() || request.response().closed()) {
      close.run();
      return;
    }
    request
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (!stream) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    request.response().end(message + "\n").onComplete(v -> close.run());
  }

  /** The Content-Length the client announced, or -1 (chunked, or none). */
  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // Netty refuses a malformed Content-Length before we get here
    }
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

  private static String bounded(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private static ThreadPoolExecutor lane(String name, int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue),
        r -> {
          Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
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
