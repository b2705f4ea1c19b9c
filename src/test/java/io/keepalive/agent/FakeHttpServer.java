package io.keepalive.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A loopback HTTP/1.1 server whose idle behaviour a test chooses. Plain sockets, one thread per
 * connection.
 */
final class FakeHttpServer implements AutoCloseable {
  enum Idle {
    KEEP,
    FIN,
    RESET,
    SWALLOW_NEXT_REQUEST,
    /**
     * Like a NAT that forgets an idle flow after idleMillis: a request after a longer idle time
     * gets no answer, one after a shorter idle time is answered.
     */
    FORGET
  }

  private final ServerSocket server;
  private final Idle idle;
  private final int idleMillis;
  private final boolean chunked;

  FakeHttpServer(Idle idle, int idleMillis, boolean chunked) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.idle = idle;
    this.idleMillis = idleMillis;
    this.chunked = chunked;
    Thread acceptor = new Thread(this::accept, "fake-http");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/ping";
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "fake-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = s.getOutputStream();
      int requests = 0;
      long answeredAt = 0;
      while (true) {
        if (requests > 0
            && idle != Idle.KEEP
            && idle != Idle.SWALLOW_NEXT_REQUEST
            && idle != Idle.FORGET) {
          s.setSoTimeout(idleMillis);
        } else {
          s.setSoTimeout(0);
        }
        String line;
        try {
          line = in.readLine();
        } catch (SocketTimeoutException e) {
          if (idle == Idle.RESET) {
            s.setSoLinger(true, 0); // close() now sends RST
          }
          return; // FIN (or RST) after idleMillis
        }
        if (line == null) {
          return;
        }
        while (!in.readLine().isEmpty()) {
          // headers
        }
        requests++;
        boolean forgotten =
            idle == Idle.FORGET
                && requests > 1
                && System.nanoTime() - answeredAt > idleMillis * 1_000_000L;
        if (forgotten || (requests > 1 && idle == Idle.SWALLOW_NEXT_REQUEST)) {
          Thread.sleep(60_000); // like a peer behind a NAT that forgot us: nothing comes back
          return;
        }
        String response =
            chunked
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n1\r\n!\r\n0\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout="
                    + Math.max(1, idleMillis / 1000)
                    + "\r\n\r\nok";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        answeredAt = System.nanoTime();
      }
    } catch (IOException | InterruptedException e) {
      // connection over
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
