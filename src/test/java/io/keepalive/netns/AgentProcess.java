package io.keepalive.netns;

import static org.awaitility.Awaitility.await;

import io.keepalive.sidecar.AgentConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The real `agent` mode as a subprocess inside a namespace, with no Kubernetes anywhere in reach.
 */
final class AgentProcess {
  final Netns ns;
  final Process process;
  final Path log;
  final int port;

  private AgentProcess(Netns ns, Process process, Path log, int port) {
    this.ns = ns;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The agent's log in the test output, so a failure shows what the agent saw. */
  static void printLog(AgentProcess agent) {
    if (agent != null) {
      System.out.println("agent log:\n" + agent.log());
    }
  }

  static AgentProcess start(Netns ns, Path dir, Map<String, String> config) throws IOException {
    Map<String, String> env = new HashMap<>(config);
    env.putIfAbsent(AgentConfig.ENV_PORT, Integer.toString(AgentConfig.DEFAULT_PORT));
    env.put("KUBECONFIG", "/nonexistent");
    env.put("KUBERNETES_SERVICE_HOST", null);
    env.put("KUBERNETES_SERVICE_PORT", null);
    env.put("HOME", dir.toString());
    Path log = Files.createTempFile(dir, "agent-", ".log");
    Process p = ns.start(Netns.app("agent"), env, log);
    AgentProcess agent =
        new AgentProcess(ns, p, log, Integer.parseInt(env.get(AgentConfig.ENV_PORT)));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new AssertionError(
                    "agent exited " + p.exitValue() + ":\n" + Files.readString(log));
              }
              return ns.exec(
                      "curl",
                      "-s",
                      "--max-time",
                      "2",
                      "http://127.0.0.1:" + agent.port + "/healthz")
                  .stdout()
                  .equals("ok\n");
            });
    return agent;
  }

  JsonObject status() {
    return ns.status(port);
  }

  JsonObject target(String url) {
    var targets = status().getJsonArray("targets");
    for (int i = 0; i < targets.size(); i++) {
      if (targets.getJsonObject(i).getString("url").equals(url)) {
        return targets.getJsonObject(i);
      }
    }
    throw new AssertionError("no target " + url + " in " + status().encodePrettily());
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  void stop() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
