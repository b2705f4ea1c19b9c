package io.keepalive.netns;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Real servers for the netns tier: nginx (Debian nginx-light) and gunicorn, configured in a temp
 * dir.
 */
final class Servers {
  private Servers() {}

  /**
   * nginx on addr:port answering "ok" with the given keepalive_timeout (0 = close every
   * connection).
   */
  static Process nginx(Netns ns, Path dir, String addr, int port, int keepaliveTimeoutSeconds)
      throws IOException {
    Path root = Files.createDirectories(dir.resolve("nginx-" + port));
    Files.createDirectories(root.resolve("tmp"));
    String conf =
        """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    keepalive_timeout %2$ds;
                    server {
                        listen %3$s:%4$d;
                        location / { return 200 "ok\\n"; }
                    }
                }
                """
            .formatted(root, keepaliveTimeoutSeconds, addr, port);
    Path file = root.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p =
        ns.start(
            List.of(
                "nginx",
                "-e",
                root.resolve("error.log").toString(),
                "-p",
                root.toString(),
                "-c",
                file.toString(),
                "-g",
                "daemon off;"),
            Map.of(),
            root.resolve("stdout.log"));
    awaitListening(ns, addr, port, p, root.resolve("error.log"));
    return p;
  }

  /**
   * gunicorn with threads (its sync worker never keeps connections alive) and the given keep-alive.
   */
  static Process gunicorn(Netns ns, Path dir, String addr, int port, int keepAliveSeconds)
      throws IOException {
    Path root = Files.createDirectories(dir.resolve("gunicorn-" + port));
    Files.writeString(
        root.resolve("app.py"),
        """
                def app(environ, start_response):
                    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
                    return [b"ok\\n"]
                """);
    Process p =
        ns.start(
            List.of(
                "gunicorn",
                "--chdir",
                root.toString(),
                "--bind",
                addr + ":" + port,
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--workers",
                "1",
                "--keep-alive",
                Integer.toString(keepAliveSeconds),
                "app:app"),
            Map.of(),
            root.resolve("gunicorn.log"));
    awaitListening(ns, addr, port, p, root.resolve("gunicorn.log"));
    return p;
  }

  static void awaitListening(Netns ns, String addr, int port, Process p, Path log) {
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new AssertionError("server exited: " + Files.readString(log));
                }
                return ns.exec(
                            "curl",
                            "-s",
                            "-o",
                            "/dev/null",
                            "--max-time",
                            "2",
                            "http://" + addr + ":" + port + "/")
                        .exit()
                    == 0;
              });
    } catch (RuntimeException e) {
      throw e;
    }
  }
}
