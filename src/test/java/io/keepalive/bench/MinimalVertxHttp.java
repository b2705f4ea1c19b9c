package io.keepalive.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;

/**
 * The memory and CPU floor the agent is measured against (bench/agent-footprint.sh): the smallest Vert.x HTTP
 * process, same Vert.x options as the agent, answering "ok". Usage: MinimalVertxHttp PORT
 */
public final class MinimalVertxHttp {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(false)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false))
                .setBlockedThreadCheckInterval(60).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
        vertx.createHttpServer(new HttpServerOptions().setPort(port))
                .requestHandler(r -> r.response().end("ok\n"))
                .listen()
                .onSuccess(s -> System.err.println("minimal: serving on " + s.actualPort()))
                .onFailure(e -> {
                    System.err.println("minimal: " + e);
                    System.exit(1);
                });
    }
}
