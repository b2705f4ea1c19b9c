package io.keepalive.agent;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection on a plain blocking {@link Socket}. Written by hand on purpose: the agent
 * must know exactly when a connection is new or reused, when the server closed it (FIN) and when it
 * was reset, which a pooling HTTP client hides. No per-socket keepalive overrides are ever set:
 * when SO_KEEPALIVE is on, the namespace sysctls decide its timing, as they do for the workload.
 */
final class HttpConnection implements Closeable {
  static final int MAX_HEADER_LINE = 16 * 1024;
  static final long MAX_BODY = 4L * 1024 * 1024;
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int READ_TIMEOUT_MILLIS = 10_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final OwnSockets own;
  private final int localPort;
  private boolean reusable = true;

  private HttpConnection(Socket socket, OwnSockets own) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.own = own;
    this.localPort = socket.getLocalPort();
    own.opened(localPort);
  }

  /**
   * Connects (and shakes hands for https). {@code keepalive} turns on SO_KEEPALIVE and nothing
   * else.
   */
  static HttpConnection open(
      TargetUrl url, boolean keepalive, int connectTimeoutMillis, OwnSockets own)
      throws IOException {
    Socket raw = new Socket();
    try {
      raw.setKeepAlive(keepalive);
      raw.setTcpNoDelay(true);
      raw.connect(new InetSocketAddress(url.host(), url.port()), connectTimeoutMillis);
      Socket socket = raw;
      if (url.tls()) {
        SSLSocket tls =
            (SSLSocket)
                ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(raw, url.host(), url.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.setSoTimeout(connectTimeoutMillis);
        tls.startHandshake();
        socket = tls;
      }
      return new HttpConnection(socket, own);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  boolean reusable() {
    return reusable && !socket.isClosed();
  }

  /** GET the target's path and read the whole response. */
  HttpResponse get(TargetUrl url, int readTimeoutMillis) throws IOException {
    long start = System.nanoTime();
    socket.setSoTimeout(readTimeoutMillis);
    String request =
        "GET "
            + url.pathAndQuery()
            + " HTTP/1.1\r\n"
            + "Host: "
            + url.hostHeader()
            + "\r\n"
            + "User-Agent: keepalive-agent\r\n"
            + "Accept: */*\r\n\r\n";
    reusable = false; // until a complete response says otherwise
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String statusLine = readLine(true);
    while (true) {
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP response: '" + abbreviate(statusLine) + "'");
      }
      int status = Integer.parseInt(parts[1].trim());
      Map<String, String> headers = readHeaders();
      if (status >= 100 && status < 200) {
        statusLine = readLine(false); // interim response, the real one follows
        continue;
      }
      boolean untilClose = readBody(status, headers);
      String version = parts[0];
      String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
      boolean keepAlive =
          !untilClose
              && !connection.contains("close")
              && (version.equals("HTTP/1.1") || connection.contains("keep-alive"));
      reusable = keepAlive;
      double millis = (System.nanoTime() - start) / 1e6;
      return new HttpResponse(version, status, headers, keepAlive, millis);
    }
  }

  /**
   * Holds the connection idle (nothing sent) until the peer does something or {@code maxMillis}
   * pass. Returns null when the time passed quietly, else the event and when it happened.
   */
  IdleEnd awaitPeer(long maxMillis) {
    long start = System.nanoTime();
    long deadline = start + maxMillis * 1_000_000L;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, left)));
        int b;
        try {
          b = in.read();
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (b == -1) {
          reusable = false;
          return new IdleEnd(SocketEvent.FIN, seconds(start), null);
        }
        // A server has no business sending bytes on an idle HTTP/1.1 connection: never reuse it.
        reusable = false;
      }
    } catch (IOException e) {
      reusable = false;
      return new IdleEnd(SocketEvent.of(e), seconds(start), e.getMessage());
    }
  }

  record IdleEnd(SocketEvent event, double afterSeconds, String message) {}

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * The precision of the timings the agent reports (milliseconds of a request, seconds of an idle
   * wait).
   */
  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private Map<String, String> readHeaders() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    String line;
    while (!(line = readLine(false)).isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        headers.merge(name, value, (a, b) -> a + ", " + b);
      }
    }
    return headers;
  }

  /** Reads and discards the body; returns true when the body ends only with the connection. */
  private boolean readBody(int status, Map<String, String> headers) throws IOException {
    if (status == 204 || status == 304) {
      return false;
    }
    String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
    if (te.contains("chunked")) {
      long total = 0;
      while (true) {
        String sizeLine = readLine(false);
        int semi = sizeLine.indexOf(';');
        long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        if (size == 0) {
          while (!readLine(false).isEmpty()) {
            // trailers
          }
          return false;
        }
        total += size;
        checkBodySize(total);
        skipExactly(size);
        readLine(false);
      }
    }
    String length = headers.get("content-length");
    if (length != null) {
      long n = Long.parseLong(length.split(",")[0].trim());
      checkBodySize(n);
      skipExactly(n);
      return false;
    }
    long total = 0;
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      checkBodySize(total);
    }
    return true;
  }

  private static void checkBodySize(long n) throws IOException {
    if (n > MAX_BODY) {
      throw new IOException(
          "response body larger than "
              + MAX_BODY
              + " bytes; point the target at a small "
              + "endpoint such as a health check");
    }
  }

  private void skipExactly(long n) throws IOException {
    byte[] buffer = new byte[8192];
    while (n > 0) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
      if (r == -1) {
        throw new IOException("connection closed in the middle of the response body");
      }
      n -= r;
    }
  }

  /**
   * A CRLF- (or LF-) terminated line; {@code first} makes an immediate EOF a {@link
   * ClosedByPeerException}.
   */
  private String readLine(boolean first) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b == -1) {
        if (first && line.size() == 0) {
          throw new ClosedByPeerException();
        }
        throw new IOException("connection closed in the middle of the response");
      }
      if (b == '\n') {
        break;
      }
      if (line.size() > MAX_HEADER_LINE) {
        throw new IOException("response line longer than " + MAX_HEADER_LINE + " bytes");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** A failure to connect or exchange, in the few words /status and the log show. */
  static String describe(Throwable e) {
    if (e instanceof UnknownHostException) {
      return "unknown host " + e.getMessage();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  @Override
  public void close() {
    if (!socket.isClosed()) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is best effort
      }
      own.closed(localPort);
    }
  }

  /** The peer closed the connection before the first byte of a response: a FIN, not a reset. */
  static final class ClosedByPeerException extends IOException {
    ClosedByPeerException() {
      super("server closed the connection (FIN) before answering");
    }
  }

  /** What one exchange told us. {@code keepAlive}: the server lets the connection be reused. */
  record HttpResponse(
      String version, int status, Map<String, String> headers, boolean keepAlive, double millis) {

    /** {@code Keep-Alive: timeout=N}, if the server advertises one. */
    Integer advertisedIdleTimeoutSeconds() {
      return parseKeepAliveTimeout(headers.get("keep-alive"));
    }
  }

  /** Pure: "timeout=5, max=1000" gives 5. */
  static Integer parseKeepAliveTimeout(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("timeout")) {
        try {
          return Integer.parseInt(kv[1].trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
