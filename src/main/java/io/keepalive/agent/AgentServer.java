package io.keepalive.agent;

import io.keepalive.sidecar.JsonText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The thin HTTP edge: /status, /metrics, /healthz. Everything it serves is prepared elsewhere; no
 * blocking here.
 */
final class AgentServer {
  private final Agent agent;
  private final AgentMetrics metrics;

  AgentServer(Agent agent, AgentMetrics metrics) {
    this.agent = agent;
    this.metrics = metrics;
  }

  Future<HttpServer> listen(Vertx vertx, int port) {
    return vertx
        .createHttpServer(new HttpServerOptions().setPort(port).setIdleTimeout(120))
        .requestHandler(this::handle)
        .listen();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    try {
      switch (path) {
        case "/healthz" -> request.response().putHeader("content-type", "text/plain").end("ok\n");
        case "/status" ->
            request
                .response()
                .putHeader("content-type", "application/json")
                .end(JsonText.write(agent.status(), true) + "\n");
        case "/metrics" ->
            request
                .response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape());
        default ->
            request
                .response()
                .setStatusCode(404)
                .putHeader("content-type", "text/plain")
                .end("not found; try /status, /metrics or /healthz\n");
      }
    } catch (RuntimeException e) {
      Log.info(path + " failed: " + e);
      request.response().setStatusCode(500).end(e + "\n");
    }
  }
}
