package io.keepalive.agent;

import io.keepalive.sidecar.AgentConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar: observes sysctls, sockets and HTTP targets and serves /status, /metrics and
 * /healthz. Plain Vert.x (no Quarkus, no Kubernetes client): it never talks to the Kubernetes API,
 * the operator comes to it.
 */
public final class AgentMain {
  private AgentMain() {}

  public static void run(String[] args) {
    if (args.length > 0) {
      System.err.println(
          "agent: takes no arguments, only environment variables (see docs/agent.md); got "
              + String.join(" ", args));
      System.exit(2);
    }
    AgentConfig config;
    try {
      config = AgentConfig.fromEnv(System.getenv());
      if (!config.problems().isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", config.problems()));
      }
    } catch (IllegalArgumentException e) {
      System.err.println("agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    Agent agent = new Agent(config, new KeepaliveSysctls(), Path.of("/proc/net"));
    agent.start();
    AgentMetrics metrics = new AgentMetrics(agent);
    Vertx vertx = Vertx.vertx(vertxOptions());
    new AgentServer(agent, metrics)
        .listen(vertx, config.port())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Log.info(
                    "serving /status /metrics /healthz on port "
                        + ar.result().actualPort()
                        + " for policy '"
                        + config.policy()
                        + "', "
                        + config.targets().size()
                        + " HTTP target(s), every "
                        + config.probeIntervalSeconds()
                        + " s, canary idle "
                        + config.canaryIdleSeconds()
                        + " s");
              } else {
                Log.info("cannot listen on port " + config.port() + ": " + ar.cause().getMessage());
                System.exit(1);
              }
            });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.stop();
                  vertx.close();
                },
                "shutdown"));
  }

  /**
   * The sidecar's Vert.x: small and read-only-root friendly. The footprint benchmark's floor uses
   * the same.
   */
  public static VertxOptions vertxOptions() {
    return new VertxOptions()
        // one event loop serves three cheap endpoints; probes run on their own threads
        .setEventLoopPoolSize(1)
        .setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)
        .setPreferNativeTransport(false)
        // no file cache dir: the sidecar runs with a read-only root filesystem
        .setFileSystemOptions(
            new FileSystemOptions()
                .setFileCachingEnabled(false)
                .setClassPathResolvingEnabled(false))
        // the checker wakes every interval; nothing of ours can block the loop for long
        .setBlockedThreadCheckInterval(60)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS);
  }
}
