package io.keepalive.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;

/**
 * The memory and CPU floor the agent is measured against (bench/agent-footprint.sh): the smallest
 * Vert.x HTTP process, same Vert.x options as the agent, answering "ok". Usage: MinimalVertxHttp
 * PORT
 */
public final class MinimalVertxHttp {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(io.keepalive.agent.AgentMain.vertxOptions());
    vertx
        .createHttpServer(new HttpServerOptions().setPort(port))
        .requestHandler(r -> r.response().end("ok\n"))
        .listen()
        .onSuccess(s -> System.err.println("minimal: serving on " + s.actualPort()))
        .onFailure(
            e -> {
              System.err.println("minimal: " + e);
              System.exit(1);
            });
  }
}
